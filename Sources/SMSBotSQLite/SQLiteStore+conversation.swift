import Foundation
import GRDB
import SMSBotCore
import SMSBotStorage

/// Loading what the engine needs and storing what it decided, inside the message's transaction.
extension SQLiteStore {
    /// What one query finds before a message is handled: whether its SID was seen, and the
    /// texter's state and flags (one statement instead of four on the hot path).
    struct FirstLook {
        /// When the SID was first received, if it was; its stored replies.
        var seenAt: Int64?
        var storedReply: String?
        var state: ConversationState
        var isOptedOut: Bool
        var codeDeliveryFailed: Bool
    }

    static func firstLook(at messageSID: MessageSID, from phone: PhoneNumber, in db: Database) throws -> FirstLook {
        // A SELECT without FROM always yields exactly one row.
        let row = try db.row(
            sql: """
                SELECT
                    (SELECT received_at FROM processed_messages WHERE message_sid = ?1),
                    (SELECT reply FROM processed_messages WHERE message_sid = ?1),
                    (SELECT state FROM conversations WHERE phone = ?2),
                    EXISTS (SELECT 1 FROM opt_outs WHERE phone = ?2),
                    EXISTS (
                        SELECT 1 FROM outbox WHERE requester_phone = ?2 AND kind = 'otp'
                        AND delivery_status IN ('undelivered', 'failed') AND failure_notified = 0)
                """,
            arguments: [messageSID.rawValue, phone.e164])!
        // A state this version cannot read starts the conversation over rather than failing the message.
        let state = (row[2] as Data?).flatMap(ConversationState.init(storedForm:)) ?? .new
        return FirstLook(seenAt: row[0], storedReply: row[1], state: state, isOptedOut: row[3], codeDeliveryFailed: row[4])
    }

    static func context(
        for phone: PhoneNumber, first: FirstLook, mentioned: [PolicyNumber], now: Date, in db: Database
    ) throws -> MessageContext {
        var numbers = mentioned
        if let policy = first.state.policy { numbers.append(policy) }
        let policies = try policies(numbered: numbers, in: db)
        let dayAgo = now.addingTimeInterval(-24 * 3600).unixMilliseconds
        let lockouts = try db.rows(
            sql: "SELECT policy_number, locked_at, locked_until FROM lockouts WHERE phone = ? AND locked_at > ?",
            arguments: [phone.e164, dayAgo]
        ).compactMap { row -> Lockout? in
            guard let policy = PolicyNumber(row[0] as String) else { return nil }
            return Lockout(policy: policy, lockedAt: Date(unixMilliseconds: row[1]), until: Date(unixMilliseconds: row[2]))
        }
        let hourAgo = now.addingTimeInterval(-3600).unixMilliseconds
        var issued: [PolicyNumber: Int] = [:]
        for number in Set(numbers) {
            if let policy = policies[number] {
                issued[number] = try db.value(
                    Int.self, sql: "SELECT count(*) FROM otp_challenges WHERE destination_phone = ? AND issued_at > ?",
                    arguments: [policy.phone.e164, hourAgo])
            } else {
                issued[number] = try db.value(
                    Int.self,
                    sql: """
                        SELECT count(*) FROM otp_challenges
                        WHERE requester_phone = ? AND policy_number = ? AND destination_phone IS NULL AND issued_at > ?
                        """,
                    arguments: [phone.e164, number.canonical, hourAgo])
            }
        }
        return MessageContext(
            isOptedOut: first.isOptedOut, policies: policies, lockouts: lockouts, codesIssuedLastHour: issued,
            codeDeliveryFailed: first.codeDeliveryFailed)
    }

    /// Saves the state, or forgets the conversation when it is back to `.new`.
    static func save(_ state: ConversationState, of phone: PhoneNumber, at now: Date, in db: Database) throws {
        guard state != .new else {
            try db.run(sql: "DELETE FROM conversations WHERE phone = ?", arguments: [phone.e164])
            return
        }
        try db.run(
            sql: """
                INSERT INTO conversations (phone, state, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (phone) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                """,
            arguments: [phone.e164, state.storedForm, now.unixMilliseconds])
    }

    static func apply(_ decision: InboundDecision, requester: PhoneNumber, at now: Date, in db: Database) throws {
        let time = now.unixMilliseconds
        // Whatever this message was, the customer has now heard of an undelivered code, or moved on.
        if decision.acknowledgesDeliveryFailure {
            try db.run(
                sql: """
                    UPDATE outbox SET failure_notified = 1 WHERE requester_phone = ? AND kind = 'otp'
                    AND delivery_status IN ('undelivered', 'failed') AND failure_notified = 0
                    """,
                arguments: [requester.e164])
        }
        for sms in decision.outbound {
            try db.run(
                sql: """
                    INSERT INTO outbox (kind, to_phone, requester_phone, body, not_after, status, next_attempt_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)
                    """,
                arguments: [sms.kind.rawValue, sms.to.e164, requester.e164, sms.body, sms.notAfter?.unixMilliseconds, time, time, time])
        }
        for effect in decision.effects {
            switch effect {
            case .sendCode:
                break  // queued above, rendered
            case .recordCodeIssued(let policy, let destination):
                try db.run(
                    sql: "INSERT INTO otp_challenges (requester_phone, policy_number, destination_phone, issued_at) VALUES (?, ?, ?, ?)",
                    arguments: [requester.e164, policy.canonical, destination?.e164, time])
            case .recordLockout(let policy, let until):
                try db.run(
                    sql: "INSERT INTO lockouts (phone, policy_number, locked_at, locked_until) VALUES (?, ?, ?, ?)",
                    arguments: [requester.e164, policy.canonical, time, until.unixMilliseconds])
            case .setOptedOut(true):
                try db.run(
                    sql: "INSERT INTO opt_outs (phone, opted_out_at) VALUES (?, ?) ON CONFLICT (phone) DO NOTHING",
                    arguments: [requester.e164, time])
            case .setOptedOut(false):
                try db.run(sql: "DELETE FROM opt_outs WHERE phone = ?", arguments: [requester.e164])
            case .audit(let event):
                try db.run(
                    sql: "INSERT INTO audit_events (occurred_at, event, phone_masked, policy_number, detail) VALUES (?, ?, ?, ?, ?)",
                    arguments: [time, event.name, requester.masked, event.policy?.canonical, event.detail])
            }
        }
    }
}
