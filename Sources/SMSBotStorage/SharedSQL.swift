public import Foundation
public import SMSBotCore

/// The SQL that is the same in SQLite and PostgreSQL, written once: storing what the engine
/// decided, the engine's context queries and the purge. Times are Unix milliseconds.
public enum SharedSQL {
    /// What one query finds before a message is handled ($1 the MessageSid, $2 the number):
    /// when the SID was first received and its stored replies (NULL when new), the
    /// conversation's stored state, whether the number opted out, and whether one of its codes
    /// was reported undelivered and not yet told: only a code sent to this very number, since
    /// telling anyone else would say that the policy exists. A SELECT without FROM yields exactly one row.
    public static let firstLook = "SELECT " + firstLookColumns(messageSID: "$1", phone: "$2")

    /// ``firstLook``'s columns for the SID and number the two SQL expressions give, for a store
    /// that reads more in the same statement (several messages at once, say). The tests for
    /// rows are counts, not `EXISTS`: for many messages PostgreSQL may run an `EXISTS` as one
    /// hashed scan of the whole table, where a count is always an index lookup per message.
    public static func firstLookColumns(messageSID: String, phone: String) -> String {
        """
        (SELECT received_at FROM processed_messages WHERE message_sid = \(messageSID)),
        (SELECT reply FROM processed_messages WHERE message_sid = \(messageSID)),
        (SELECT state FROM conversations WHERE phone = \(phone)),
        (SELECT count(*) FROM opt_outs WHERE phone = \(phone)) > 0,
        (SELECT count(*) FROM outbox WHERE requester_phone = \(phone) AND to_phone = \(phone) AND kind = 'otp'
            AND delivery_status IN ('undelivered', 'failed') AND failure_notified = FALSE) > 0
        """
    }

    /// A number's lockouts that started after $2: policy number, start, end.
    public static let recentLockouts =
        "SELECT policy_number, locked_at, locked_until FROM lockouts WHERE phone = $1 AND locked_at > $2"

    /// Codes sent to the phone $1 since $2, whoever asked: the per-destination hourly cap.
    /// Run for unknown policies too (with a phone that matches nothing), so that the queries,
    /// and their time, do not depend on whether a policy exists.
    public static let codesToDestination =
        "SELECT count(*) FROM otp_challenges WHERE destination_phone = $1 AND issued_at > $2"

    /// The phone ``codesToDestination`` is asked about for a policy that does not exist.
    public static let noPhone = ""

    /// Codes the number $1 asked for the policy $2 since $3, sent or not.
    public static let codesRequested =
        "SELECT count(*) FROM otp_challenges WHERE requester_phone = $1 AND policy_number = $2 AND issued_at > $3"

    /// The subjects the number $1 asked codes for since $2.
    public static let subjectsRequested =
        "SELECT DISTINCT policy_number FROM otp_challenges WHERE requester_phone = $1 AND issued_at > $2"

    /// The policy numbers whose phone on file is $1: a `FORGOT` code's destination and the list
    /// a texter verified by phone picks from.
    public static let policiesOnFile = "SELECT policy_number FROM policies WHERE phone = $1"

    /// The wrong codes the number $1 entered for the subject $2 since its last success, lockout or unlock.
    public static let failedAttempts = "SELECT failures FROM verification_failures WHERE phone = $1 AND policy_number = $2"

    /// The migrations after `v1-initial-schema` (whose DDL differs between the stores), in order,
    /// by name: each store runs them as written. A shipped migration is never edited.
    public static let sharedMigrations: [(name: String, statements: [String])] = [
        ("v2-verification-failures", verificationFailuresSchema),
        ("v3-outbox-order", outboxOrderSchema),
        ("v4-access-keys", accessKeysSchema),
        ("v5-verifications", verificationsSchema),
        ("v6-operator", operatorSchema),
        ("v7-portal-sessions", portalSchema),
        ("v8-pending-codes", pendingCodesSchema),
        ("v9-policies-by-phone", ["CREATE INDEX policies_phone ON policies(phone)"]),
    ]

    /// Migration `v2-verification-failures`: wrong codes counted per (number, policy) across codes.
    public static let verificationFailuresSchema = [
        """
        CREATE TABLE verification_failures (
            phone TEXT NOT NULL,
            policy_number TEXT NOT NULL,
            failures BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (phone, policy_number)
        )
        """,
        "CREATE INDEX verification_failures_updated_at ON verification_failures(updated_at)",
    ]

    /// The writes that store `decision` for a message from `requester` (after its state), in order.
    public static func statements(storing decision: InboundDecision, requester: PhoneNumber, at now: Date) -> [StoreStatement] {
        let time = StoreValue.integer(now.unixMilliseconds)
        let phone = StoreValue.text(requester.e164)
        var statements: [StoreStatement] = []
        // Whatever this message was, the customer has now heard of an undelivered code, or moved on.
        if decision.acknowledgesDeliveryFailure {
            statements.append(
                StoreStatement(
                    """
                    UPDATE outbox SET failure_notified = TRUE WHERE requester_phone = $1 AND kind = 'otp'
                    AND delivery_status IN ('undelivered', 'failed') AND failure_notified = FALSE
                    """, [phone]))
        }
        // A new code voids the texter's earlier ones, and so does LOGOUT: any still queued (say,
        // behind Twilio 503s) is dropped, so it cannot arrive after the new one and burn an attempt.
        if decision.effects.contains(where: \.voidsQueuedCodes) {
            statements.append(voidingQueuedCodes(of: phone, at: now))
        }
        statements += decision.outbound.map { queueing($0, requester: phone, at: now) }
        for effect in decision.effects {
            switch effect {
            case .sendCode:
                break  // queued above, rendered
            case .recordCodeIssued(let subject, let destination):
                statements.append(recordingCodeIssued(requester: phone, subject: .text(subject.storedKey), destination: destination, at: now))
            case .recordFailedAttempt(let subject):
                statements.append(recordingFailedAttempt(requester: phone, subject: .text(subject.storedKey), at: now))
            case .clearFailedAttempts(let subject):
                statements.append(clearingFailedAttempts(requester: phone, subject: .text(subject.storedKey)))
            case .recordLockout(let subject, let until):
                statements.append(recordingLockout(requester: phone, subject: .text(subject.storedKey), until: until, at: now))
            case .setOptedOut(true):
                statements.append(
                    StoreStatement("INSERT INTO opt_outs (phone, opted_out_at) VALUES ($1, $2) ON CONFLICT (phone) DO NOTHING", [phone, time]))
            case .setOptedOut(false):
                statements.append(StoreStatement("DELETE FROM opt_outs WHERE phone = $1", [phone]))
            case .audit(let event):
                statements.append(
                    auditing(event.name, phoneMasked: requester.masked, policy: event.subject?.policy?.canonical, detail: event.detail, at: time))
            }
        }
        return statements
    }

    /// Migration `v8-pending-codes`: finds a requester's queued codes, which every new code voids
    /// (``voidingQueuedCodes(of:at:)``), without reading the whole outbox.
    public static let pendingCodesSchema = [
        "CREATE INDEX outbox_pending_codes ON outbox(requester_phone) WHERE kind = 'otp' AND status = 'pending'"
    ]

    /// Drops the OTP SMS that `requester` (a texter, or `verification:ID`) still has queued.
    static func voidingQueuedCodes(of requester: StoreValue, at now: Date) -> StoreStatement {
        StoreStatement(
            """
            UPDATE outbox SET status = 'dropped', last_error = 'voided by a newer code', body = NULL, updated_at = $1
            WHERE requester_phone = $2 AND kind = 'otp' AND status = 'pending'
            """, [.integer(now.unixMilliseconds), requester])
    }

    /// Queues `sms`, caused by `requester`.
    static func queueing(_ sms: OutboundSMS, requester: StoreValue, at now: Date) -> StoreStatement {
        StoreStatement(
            """
            INSERT INTO outbox (kind, to_phone, requester_phone, body, not_after, status, next_attempt_at, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6, $6)
            """,
            [.text(sms.kind.rawValue), .text(sms.to.e164), requester, .text(sms.body), .integer(sms.notAfter?.unixMilliseconds),
             .integer(now.unixMilliseconds)])
    }

    /// Counts a code the binding (`requester`, `subject`) asked for, sent to `destination` or to nobody.
    static func recordingCodeIssued(requester: StoreValue, subject: StoreValue, destination: PhoneNumber?, at now: Date) -> StoreStatement {
        StoreStatement(
            "INSERT INTO otp_challenges (requester_phone, policy_number, destination_phone, issued_at) VALUES ($1, $2, $3, $4)",
            [requester, subject, .text(destination?.e164), .integer(now.unixMilliseconds)])
    }

    /// Counts a wrong code of the binding (`requester`, `subject`).
    static func recordingFailedAttempt(requester: StoreValue, subject: StoreValue, at now: Date) -> StoreStatement {
        StoreStatement(
            """
            INSERT INTO verification_failures (phone, policy_number, failures, updated_at) VALUES ($1, $2, 1, $3)
            ON CONFLICT (phone, policy_number) DO UPDATE
            SET failures = verification_failures.failures + 1, updated_at = excluded.updated_at
            """, [requester, subject, .integer(now.unixMilliseconds)])
    }

    /// Forgets the binding's wrong codes.
    static func clearingFailedAttempts(requester: StoreValue, subject: StoreValue) -> StoreStatement {
        StoreStatement("DELETE FROM verification_failures WHERE phone = $1 AND policy_number = $2", [requester, subject])
    }

    /// Locks the binding until `until`.
    static func recordingLockout(requester: StoreValue, subject: StoreValue, until: Date, at now: Date) -> StoreStatement {
        StoreStatement(
            "INSERT INTO lockouts (phone, policy_number, locked_at, locked_until) VALUES ($1, $2, $3, $4)",
            [requester, subject, .integer(now.unixMilliseconds), .integer(until.unixMilliseconds)])
    }

    /// An audit row: never a code or a full number.
    static func auditing(_ event: String, phoneMasked: String, policy: String?, detail: String?, at time: StoreValue) -> StoreStatement {
        StoreStatement(
            "INSERT INTO audit_events (occurred_at, event, phone_masked, policy_number, detail) VALUES ($1, $2, $3, $4, $5)",
            [time, .text(event), .text(phoneMasked), .text(policy), .text(detail)])
    }

    /// The writes that insert `policy` or replace the stored one of its number, claims replaced
    /// whole. Without `replacing`, a stored policy of that number makes the insert fail (a
    /// unique violation: ``StoreConflict``) instead, so two registrations cannot both win.
    public static func statements(upserting policy: Policy, at now: Date, replacing: Bool = true) -> [StoreStatement] {
        let number = StoreValue.text(policy.number.canonical)
        let insert = """
            INSERT INTO policies (policy_number, display_number, holder_name, phone, product, status, effective_date,
                expiry_date, premium, currency, premium_frequency, next_payment_due, balance_due, coverage, deductible, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            """
        let upsert = StoreStatement(
            !replacing ? insert : insert + """

            ON CONFLICT (policy_number) DO UPDATE SET
                display_number = excluded.display_number, holder_name = excluded.holder_name, phone = excluded.phone,
                product = excluded.product, status = excluded.status, effective_date = excluded.effective_date,
                expiry_date = excluded.expiry_date, premium = excluded.premium, currency = excluded.currency,
                premium_frequency = excluded.premium_frequency, next_payment_due = excluded.next_payment_due,
                balance_due = excluded.balance_due, coverage = excluded.coverage, deductible = excluded.deductible,
                updated_at = excluded.updated_at
            """,
            [
                number, .text(policy.displayNumber), .text(policy.holderName), .text(policy.phone.e164), .text(policy.product),
                .text(policy.status), .text(policy.effectiveDate), .text(policy.expiryDate), .text(policy.premium),
                .text(policy.currency), .text(policy.premiumFrequency), .text(policy.nextPaymentDue), .text(policy.balanceDue),
                .text(policy.coverage), .text(policy.deductible), .integer(now.unixMilliseconds),
            ])
        return [upsert, StoreStatement("DELETE FROM claims WHERE policy_number = $1", [number])]
            + policy.claims.map { claim in
                StoreStatement(
                    "INSERT INTO claims (policy_number, claim_number, status, filed_on, amount, description) VALUES ($1, $2, $3, $4, $5, $6)",
                    [number, .text(claim.claimNumber), .text(claim.status), .text(claim.filedOn), .text(claim.amount), .text(claim.description)])
            }
    }

    /// The outbox rows a claimer may take at $1: due, or claimed by a worker whose lease ran out,
    /// and the oldest unfinished SMS to their phone (per-phone order, SPEC §3).
    public static let claimableOutbox = """
        ((outbox.status = 'pending' AND outbox.next_attempt_at <= $1) OR (outbox.status = 'sending' AND outbox.claimed_until <= $1))
        AND NOT EXISTS (
            SELECT 1 FROM outbox AS earlier
            WHERE earlier.to_phone = outbox.to_phone AND earlier.id < outbox.id AND earlier.status IN ('pending', 'sending'))
        """

    /// Drops, at `now`, the SMS whose claim ran out a second time: the claimer died (or hung)
    /// twice, and the Messages API has no idempotency key, so it is not sent again.
    public static func droppingTwiceAbandonedClaims(at now: Date) -> StoreStatement {
        StoreStatement(
            """
            UPDATE outbox SET status = 'dropped', last_error = 'claimed twice by a worker that never finished',
                claimed_until = NULL, body = CASE WHEN kind = 'otp' THEN NULL ELSE body END,
                delivery_status = CASE WHEN kind = 'otp' THEN 'failed' ELSE delivery_status END, updated_at = $1
            WHERE status = 'sending' AND claimed_until <= $1 AND ambiguous_failures >= 1
            """, [.integer(now.unixMilliseconds)])
    }

    /// Migration `v3-outbox-order`: finds a phone's unfinished SMS for ``claimableOutbox``.
    public static let outboxOrderSchema = [
        "CREATE INDEX outbox_unfinished_by_phone ON outbox(to_phone, id) WHERE status IN ('pending', 'sending')"
    ]

    /// Migration `v4-access-keys`: access keys by name, found by their secret's SHA-256 (hex).
    public static let accessKeysSchema = [
        """
        CREATE TABLE access_keys (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('operator', 'verify')),
            secret_sha256 TEXT NOT NULL UNIQUE,
            created_at BIGINT NOT NULL,
            last_used_at BIGINT,
            revoked_at BIGINT
        )
        """
    ]

    /// Inserts a key; a name in use violates the primary key.
    public static func insertingAccessKey(_ key: AccessKey, secretDigest: String) -> StoreStatement {
        StoreStatement(
            "INSERT INTO access_keys (name, role, secret_sha256, created_at) VALUES ($1, $2, $3, $4)",
            [.text(key.name), .text(key.role.rawValue), .text(secretDigest), .integer(key.createdAt.unixMilliseconds)])
    }

    /// Every key: name, role, created, last used, revoked.
    public static let accessKeys =
        "SELECT name, role, created_at, last_used_at, revoked_at FROM access_keys ORDER BY name"

    /// Revokes the key named $2 at $1, if live.
    public static func revokingAccessKey(named name: String, at now: Date) -> StoreStatement {
        StoreStatement(
            "UPDATE access_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL", [.integer(now.unixMilliseconds), .text(name)])
    }

    /// Marks the live key whose secret digest is $3 used at $1, counting the request in the
    /// key's one-minute window (a new window when the last one started before $2), and returns
    /// it with the window's start and count. One statement, so concurrent requests on any
    /// number of instances all count.
    public static func usingAccessKey(digest: String, at now: Date) -> StoreStatement {
        StoreStatement(
            """
            UPDATE access_keys SET last_used_at = $1,
                window_requests = CASE WHEN window_started_at > $2 THEN window_requests + 1 ELSE 1 END,
                window_started_at = CASE WHEN window_started_at > $2 THEN window_started_at ELSE $1 END
            WHERE secret_sha256 = $3 AND revoked_at IS NULL
            RETURNING name, role, created_at, last_used_at, window_started_at, window_requests
            """,
            [.integer(now.unixMilliseconds), .integer(now.addingTimeInterval(-60).unixMilliseconds), .text(digest)])
    }

    /// The deletions of SPEC §5 at `now`, each changing the rows it purges: replies after
    /// 15 minutes, message ids after 48 hours, idle conversations and the failure counts of
    /// pairs idle as long after 30 days, codes issued
    /// and ended lockouts after a day, sent and dropped SMS after 30 days.
    public static func purge(at now: Date) -> [StoreStatement] {
        let time = now.unixMilliseconds
        func before(_ age: TimeInterval) -> StoreValue { .integer(time - Int64(age * 1000)) }
        return [
            StoreStatement(
                "UPDATE processed_messages SET reply = NULL WHERE reply IS NOT NULL AND received_at < $1",
                [before(InboundMessageRecord.replyRetention)]),
            StoreStatement("DELETE FROM processed_messages WHERE received_at < $1", [before(InboundMessageRecord.sidRetention)]),
            StoreStatement("DELETE FROM conversations WHERE updated_at < $1", [before(InboundMessageRecord.conversationRetention)]),
            // Failures of a (number, policy) pair idle as long as a forgotten conversation.
            StoreStatement(
                "DELETE FROM verification_failures WHERE updated_at < $1", [before(InboundMessageRecord.conversationRetention)]),
            StoreStatement("DELETE FROM otp_challenges WHERE issued_at < $1", [before(24 * 3600)]),
            // Verifications and idempotency records are answered from for a day; kept two.
            StoreStatement("DELETE FROM verifications WHERE updated_at < $1", [before(48 * 3600)]),
            StoreStatement("DELETE FROM idempotency_records WHERE created_at < $1", [before(48 * 3600)]),
            StoreStatement("DELETE FROM lockouts WHERE locked_until < $1 AND locked_at < $2", [.integer(time), before(24 * 3600)]),
            // Done rows hold full phone numbers: kept 30 days for operators, then gone.
            StoreStatement(
                "DELETE FROM outbox WHERE status IN ('sent', 'dropped') AND updated_at < $1", [before(InboundMessageRecord.outboxRetention)]),
        ]
    }
}

extension Effect {
    /// Whether the effect voids the texter's codes still waiting in the outbox.
    public var voidsQueuedCodes: Bool {
        switch self {
        case .recordCodeIssued, .audit(.loggedOut): true
        default: false
        }
    }
}
