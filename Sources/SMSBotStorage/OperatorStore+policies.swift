public import Foundation
public import SMSBotCore

extension OperatorStore {
    /// One policy, claims included, full phone.
    public func policy(numbered number: PolicyNumber) async throws -> Policy? {
        let key = StoreValue.text(number.canonical)
        let rows = try await read(
            StoreStatement("SELECT \(SharedSQL.policyColumns) FROM policies WHERE policy_number = $1", [key]),
            StoreStatement(SharedSQL.claimsOfPolicy, [key]))
        return rows[0].first.flatMap { SharedSQL.policy($0, claims: rows[1]) }
    }

    /// Policies whose number, holder name or phone's last four digits match `query` (all for
    /// an empty one), by number, after the cursor.
    public func searchPolicies(_ query: String, limit: Int, after cursor: String?) async throws -> Page<PolicySummary> {
        let text = String(query.trimming(\.isWhitespace))
        let canonical = PolicyNumber.canonicalFragment(of: text)
        let isLastFour = text.utf8.count == 4 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let numberPattern = canonical.isEmpty ? SharedSQL.matchesNothing : "%" + SharedSQL.likeEscaped(canonical) + "%"
        let namePattern = "%" + SharedSQL.likeEscaped(text.lowercased()) + "%"
        let phonePattern = isLastFour ? "%" + text : SharedSQL.matchesNothing
        let arguments: [StoreValue] = [
            .text(text), .text(numberPattern), .text(namePattern), .text(phonePattern), .text(cursor ?? ""), .integer(Int64(limit + 1)),
        ]
        let search = StoreStatement(
            """
            SELECT policy_number, display_number, holder_name, phone, product, status FROM policies
            WHERE ($1 = '' OR policy_number LIKE $2 ESCAPE '!' OR lower(holder_name) LIKE $3 ESCAPE '!' OR phone LIKE $4)
            AND policy_number > $5 ORDER BY policy_number LIMIT $6
            """, arguments)
        let rows = try await read(search)[0]
        let items = rows.prefix(limit).compactMap { row -> PolicySummary? in
            guard let number = row[0].text.flatMap(PolicyNumber.init), let phone = row[3].text else { return nil }
            return PolicySummary(
                number: number, displayNumber: row[1].text ?? "", holderName: row[2].text ?? "", phoneMasked: PhoneNumber.mask(phone),
                product: row[4].text ?? "", status: row[5].text ?? "")
        }
        return Page(items: items, nextCursor: rows.count > limit ? items.last?.number.canonical : nil)
    }

    /// Registers a new policy and queues its welcome SMS (none to an opted-out phone); returns
    /// whether the welcome SMS was queued.
    /// - Throws: ``OperatorRefusal/policyExists`` when the number is taken; nothing is written.
    @discardableResult
    public func registerPolicy(_ policy: Policy, messages: PolicyMessages, by action: OperatorAction) async throws -> Bool {
        let number = StoreValue.text(policy.number.canonical)
        let script = { () async throws -> [[StoreRow]] in
            try await runScript(reads: [
                StoreStatement("SELECT 1 FROM policies WHERE policy_number = $1", [number]),
                StoreStatement(SharedSQL.isOptedOut, [.text(policy.phone.e164)]),
            ]) { rows in
                guard rows[0].isEmpty else { throw OperatorRefusal.policyExists }
                // A plain insert: a registration of the same number committed meanwhile makes it fail.
                var statements = SharedSQL.statements(upserting: policy, at: action.at, replacing: false)
                if rows[1].first?.first?.integer != 1 {
                    statements.append(SharedSQL.queueing(messages.welcome(policy.phone), requester: .null, at: action.at))
                }
                statements.append(SharedSQL.auditing(action, "policy_registered", phone: policy.phone, policy: policy.number))
                return statements
            }
        }
        do {
            return try await script()[1].first?.first?.integer != 1
        } catch is StoreConflict {
            throw OperatorRefusal.policyExists
        }
    }

    /// Replaces a policy. A new phone gets the welcome SMS and the old one a notice (none to
    /// an opted-out phone), and the policy's conversations end, codes pending included; so do
    /// the verification API's pending verifications of it. Returns the policy replaced.
    /// - Throws: ``OperatorRefusal/notFound``; nothing is written.
    @discardableResult
    public func replacePolicy(_ policy: Policy, messages: PolicyMessages, by action: OperatorAction) async throws -> Policy {
        let number = StoreValue.text(policy.number.canonical)
        let rows = try await runScript(reads: [
            StoreStatement("SELECT \(SharedSQL.policyColumns) FROM policies WHERE policy_number = $1", [number]),
            StoreStatement(SharedSQL.claimsOfPolicy, [number]),
            StoreStatement(SharedSQL.isOptedOut, [.text(policy.phone.e164)]),
            StoreStatement(
                "SELECT EXISTS (SELECT 1 FROM opt_outs WHERE phone = (SELECT phone FROM policies WHERE policy_number = $1))", [number]),
        ]) { rows in
            guard let old = rows[0].first.flatMap({ SharedSQL.policy($0, claims: rows[1]) }) else { throw OperatorRefusal.notFound }
            var statements = SharedSQL.statements(upserting: policy, at: action.at)
            statements.append(SharedSQL.auditing(action, "policy_replaced", phone: policy.phone, policy: policy.number))
            guard old.phone != policy.phone else { return statements }
            if rows[2].first?.first?.integer != 1 {
                statements.append(SharedSQL.queueing(messages.welcome(policy.phone), requester: .null, at: action.at))
            }
            if rows[3].first?.first?.integer != 1 {
                statements.append(SharedSQL.queueing(messages.phoneChangedNotice(old.phone), requester: .null, at: action.at))
            }
            statements += SharedSQL.endingConversations(of: policy.number, at: action.at)
            statements.append(SharedSQL.auditing(action, "phone_changed", phone: old.phone, policy: policy.number))
            return statements
        }
        guard let old = rows[0].first.flatMap({ SharedSQL.policy($0, claims: rows[1]) }) else { throw OperatorRefusal.notFound }
        return old
    }

    /// Deletes a policy: its conversations end and its pending codes stop working.
    /// - Throws: ``OperatorRefusal/notFound``; nothing is written.
    public func deletePolicy(_ number: PolicyNumber, by action: OperatorAction) async throws {
        let key = StoreValue.text(number.canonical)
        _ = try await runScript(reads: [StoreStatement("SELECT phone FROM policies WHERE policy_number = $1", [key])]) { rows in
            guard let phone = rows[0].first?.first?.text.flatMap(PhoneNumber.init(e164:)) else { throw OperatorRefusal.notFound }
            return [
                StoreStatement("DELETE FROM claims WHERE policy_number = $1", [key]),
                StoreStatement("DELETE FROM policies WHERE policy_number = $1", [key]),
            ] + SharedSQL.endingConversations(of: number, at: action.at)
                + [SharedSQL.auditing(action, "policy_deleted", phone: phone, policy: number)]
        }
    }
}

extension PolicyNumber {
    /// `text` as a fragment of a canonical number (upper case, no spaces or hyphens), or empty
    /// when it holds anything a policy number cannot.
    static func canonicalFragment(of text: String) -> String {
        let kept = text.uppercased().filter { $0 != " " && $0 != "-" }
        return kept.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? kept : ""
    }
}
