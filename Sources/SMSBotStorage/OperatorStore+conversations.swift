public import Foundation
public import SMSBotCore

extension OperatorStore {
    /// What is known of `phone`'s conversation at `now`, or `nil` when nothing is.
    public func conversation(of phone: PhoneNumber, at now: Date) async throws -> ConversationSummary? {
        let number = StoreValue.text(phone.e164)
        let rows = try await read(
            StoreStatement("SELECT state, updated_at FROM conversations WHERE phone = $1 AND length(state) > 0", [number]),
            StoreStatement(SharedSQL.isOptedOut, [number]),
            StoreStatement(
                "SELECT policy_number, locked_until FROM lockouts WHERE phone = $1 AND locked_until > $2 ORDER BY locked_until",
                [number, .integer(now.unixMilliseconds)]),
            StoreStatement("SELECT max(received_at) FROM processed_messages WHERE phone = $1", [number]),
            StoreStatement("SELECT count(*) FROM verification_failures WHERE phone = $1", [number]))
        let conversation = rows[0].first
        let optedOut = rows[1].first?.first?.integer == 1
        let locks = rows[2].compactMap { row -> (policy: String, until: Date)? in
            guard let key = row[0].text, let until = row[1].integer else { return nil }
            let subject = CodeSubject(storedKey: key)
            return (subject.map { $0.policy?.canonical ?? "FORGOT" } ?? key, Date(unixMilliseconds: until))
        }
        let lastMessage = [conversation?[1].integer, rows[3].first?.first?.integer].compactMap { $0 }.max()
        let failures = rows[4].first?.first?.integer ?? 0
        guard conversation != nil || optedOut || !locks.isEmpty || lastMessage != nil || failures > 0 else { return nil }
        return ConversationSummary(
            phone: phone, optedOut: optedOut, state: conversation?[0].blob.flatMap(ConversationState.init(storedForm:)), locks: locks,
            lastMessageAt: lastMessage.map(Date.init(unixMilliseconds:)))
    }

    /// Ends `phone`'s session and forgets its conversation; its queued codes are dropped.
    /// - Throws: ``OperatorRefusal/notFound`` when it has no conversation.
    public func logOut(_ phone: PhoneNumber, by action: OperatorAction) async throws {
        let number = StoreValue.text(phone.e164)
        _ = try await runScript(reads: [StoreStatement("SELECT 1 FROM conversations WHERE phone = $1 AND length(state) > 0", [number])]) {
            rows in
            guard !rows[0].isEmpty else { throw OperatorRefusal.notFound }
            return [
                SharedSQL.forgettingConversations(where: "phone = $2", number, at: action.at),
                SharedSQL.voidingQueuedCodes(of: number, at: action.at),
                SharedSQL.auditing(action, "operator_logout", phone: phone, policy: nil),
            ]
        }
    }

    /// Lifts `phone`'s lockouts and forgets its failure counts (a locked conversation starts over).
    /// - Throws: ``OperatorRefusal/notFound`` when nothing is known of the phone.
    public func unlock(_ phone: PhoneNumber, by action: OperatorAction) async throws {
        let number = StoreValue.text(phone.e164)
        _ = try await runScript(reads: [
            StoreStatement("SELECT state FROM conversations WHERE phone = $1", [number]),
            StoreStatement(
                "SELECT (SELECT count(*) FROM lockouts WHERE phone = $1) + (SELECT count(*) FROM verification_failures WHERE phone = $1)",
                [number]),
        ]) { rows in
            let state = rows[0].first?[0].blob.flatMap(ConversationState.init(storedForm:))
            guard state != nil || (rows[1].first?.first?.integer ?? 0) > 0 else { throw OperatorRefusal.notFound }
            var statements = [
                StoreStatement("DELETE FROM lockouts WHERE phone = $1", [number]),
                StoreStatement("DELETE FROM verification_failures WHERE phone = $1", [number]),
            ]
            if case .locked = state { statements.append(SharedSQL.forgettingConversations(where: "phone = $2", number, at: action.at)) }
            statements.append(SharedSQL.auditing(action, "operator_unlock", phone: phone, policy: nil))
            return statements
        }
    }
}
