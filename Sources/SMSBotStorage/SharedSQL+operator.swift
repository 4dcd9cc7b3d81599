public import Foundation
public import SMSBotCore

/// The operator API's SQL, the same in SQLite and PostgreSQL.
extension SharedSQL {
    /// Migration `v6-operator`: the policy a conversation is about (so a policy's conversations
    /// can be ended), the acting key of an audit event, and the audit trail by phone and policy.
    public static let operatorSchema = [
        "ALTER TABLE conversations ADD COLUMN policy_number TEXT",
        "CREATE INDEX conversations_policy ON conversations(policy_number) WHERE policy_number IS NOT NULL",
        "ALTER TABLE audit_events ADD COLUMN actor TEXT",
        "CREATE INDEX audit_events_phone ON audit_events(phone_masked, id)",
        "CREATE INDEX audit_events_policy ON audit_events(policy_number, id)",
    ]

    /// The columns ``policy(_:claims:)`` reads, in order.
    public static let policyColumns = """
        policy_number, display_number, holder_name, phone, product, status, effective_date, expiry_date, premium,
        currency, premium_frequency, next_payment_due, balance_due, coverage, deductible
        """

    /// The claims of the policy $1, newest first.
    public static let claimsOfPolicy = """
        SELECT claim_number, status, filed_on, amount, description FROM claims WHERE policy_number = $1
        ORDER BY filed_on DESC, claim_number
        """

    /// Whether the phone $1 opted out (one row, 1 or 0).
    public static let isOptedOut = "SELECT EXISTS (SELECT 1 FROM opt_outs WHERE phone = $1)"

    /// A LIKE pattern no policy number or phone matches (none is empty).
    static let matchesNothing = ""

    /// `text` with LIKE's wildcards (and the escape character `!`) escaped.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
    }

    /// Reads a row of ``policyColumns`` and the rows of ``claimsOfPolicy``.
    public static func policy(_ row: StoreRow, claims: [StoreRow]) -> Policy? {
        guard row.count == 15, let number = row[0].text.flatMap(PolicyNumber.init), let phone = row[3].text.flatMap(PhoneNumber.init(e164:))
        else { return nil }
        return Policy(
            number: number, displayNumber: row[1].text ?? "", holderName: row[2].text ?? "", phone: phone, product: row[4].text ?? "",
            status: row[5].text ?? "", effectiveDate: row[6].text ?? "", expiryDate: row[7].text ?? "", premium: row[8].text ?? "",
            currency: row[9].text ?? "", premiumFrequency: row[10].text ?? "", nextPaymentDue: row[11].text, balanceDue: row[12].text ?? "",
            coverage: row[13].text ?? "", deductible: row[14].text,
            claims: claims.map { claim in
                Claim(claimNumber: claim[0].text ?? "", status: claim[1].text ?? "", filedOn: claim[2].text ?? "", amount: claim[3].text,
                      description: claim[4].text)
            })
    }

    /// Ends every conversation about `policy` (verified, code pending or locked: its codes stop
    /// working) and cancels the verification API's pending verifications of it.
    static func endingConversations(of policy: PolicyNumber, at now: Date) -> [StoreStatement] {
        [
            forgettingConversations(where: "policy_number = $2", .text(policy.canonical), at: now),
            StoreStatement(
                "UPDATE verifications SET status = 'canceled', updated_at = $1 WHERE subject = $2 AND status = 'pending'",
                [.integer(now.unixMilliseconds), .text(APIVerification.Destination.policy(policy).subject)]),
        ]
    }

    /// Ends the conversations that match `condition` (on `$2`, `value`): each keeps its row,
    /// with an empty state and no policy, which every store reads as no conversation. The row
    /// stays because a PostgreSQL store writes a number's first message only if it can create
    /// the row: had it been created and deleted meanwhile (another message, then this), that
    /// write would go through as if neither had happened. The purge deletes such rows with
    /// the idle ones. (`substr(state, 1, 0)` is the empty BLOB in SQLite and the empty bytea
    /// in PostgreSQL alike.)
    static func forgettingConversations(where condition: String, _ value: StoreValue, at now: Date) -> StoreStatement {
        StoreStatement(
            """
            UPDATE conversations SET state = substr(state, 1, 0), policy_number = NULL, updated_at = $1
            WHERE length(state) > 0 AND \(condition)
            """,
            [.integer(now.unixMilliseconds), value])
    }

    /// An audit row for an operator's action.
    static func auditing(_ action: OperatorAction, _ event: String, phone: PhoneNumber?, policy: PolicyNumber?) -> StoreStatement {
        StoreStatement(
            "INSERT INTO audit_events (occurred_at, event, phone_masked, policy_number, detail, actor) VALUES ($1, $2, $3, $4, NULL, $5)",
            [.integer(action.at.unixMilliseconds), .text(event), .text(phone?.masked ?? ""), .text(policy?.canonical), .text(action.actor)])
    }
}
