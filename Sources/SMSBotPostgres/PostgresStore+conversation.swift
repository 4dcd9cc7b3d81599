import Foundation
import Logging
import PostgresNIO
import SMSBotCore
import SMSBotStorage

/// Loading what the engine needs and storing what it decided, inside the message's transaction.
extension PostgresStore {
    static func context(
        for phone: PhoneNumber, state: ConversationState, mentioned: [PolicyNumber], now: Date,
        connection: PostgresConnection, logger: Logger
    ) async throws -> MessageContext {
        var numbers = mentioned
        if let policy = state.policy { numbers.append(policy) }
        let policies = try await policies(numbered: numbers, connection: connection, logger: logger)
        let dayAgo = now.addingTimeInterval(-24 * 3600).unixMilliseconds
        var lockouts: [Lockout] = []
        for try await (policy, lockedAt, until) in try await connection.query(
            "SELECT policy_number, locked_at, locked_until FROM lockouts WHERE phone = \(phone.e164) AND locked_at > \(dayAgo)",
            logger: logger
        ).decode((String, Int64, Int64).self) {
            guard let number = PolicyNumber(policy) else { continue }
            lockouts.append(Lockout(policy: number, lockedAt: Date(unixMilliseconds: lockedAt), until: Date(unixMilliseconds: until)))
        }
        let hourAgo = now.addingTimeInterval(-3600).unixMilliseconds
        var issued: [PolicyNumber: Int] = [:]
        for number in Set(numbers) {
            let query: PostgresQuery =
                if let policy = policies[number] {
                    "SELECT count(*) FROM otp_challenges WHERE destination_phone = \(policy.phone.e164) AND issued_at > \(hourAgo)"
                } else {
                    """
                    SELECT count(*) FROM otp_challenges WHERE requester_phone = \(phone.e164) AND policy_number = \(number.canonical)
                    AND destination_phone IS NULL AND issued_at > \(hourAgo)
                    """
                }
            issued[number] = try await count(query, connection: connection, logger: logger)
        }
        let optedOut = try await count("SELECT count(*) FROM opt_outs WHERE phone = \(phone.e164)", connection: connection, logger: logger) > 0
        let deliveryFailed = try await count(
            """
            SELECT count(*) FROM outbox WHERE requester_phone = \(phone.e164) AND kind = 'otp'
            AND delivery_status IN ('undelivered', 'failed') AND NOT failure_notified
            """, connection: connection, logger: logger) > 0
        return MessageContext(
            isOptedOut: optedOut, policies: policies, lockouts: lockouts, codesIssuedLastHour: issued,
            codeDeliveryFailed: deliveryFailed)
    }

    static func count(_ query: PostgresQuery, connection: PostgresConnection, logger: Logger) async throws -> Int {
        for try await value in try await connection.query(query, logger: logger).decode(Int64.self) {
            return Int(value)
        }
        return 0
    }

    /// Saves the state, or forgets the conversation when it is back to `.new`.
    static func save(_ state: ConversationState, of phone: String, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        guard state != .new else {
            try await connection.query("DELETE FROM conversations WHERE phone = \(phone)", logger: logger)
            return
        }
        let encoded = state.storedForm
        try await connection.query(
            "UPDATE conversations SET state = \(encoded), updated_at = \(now.unixMilliseconds) WHERE phone = \(phone)", logger: logger)
    }

    static func apply(
        _ decision: InboundDecision, requester: PhoneNumber, at now: Date, connection: PostgresConnection, logger: Logger
    ) async throws {
        let time = now.unixMilliseconds
        let phone = requester.e164
        if decision.acknowledgesDeliveryFailure {
            try await connection.query(
                """
                UPDATE outbox SET failure_notified = TRUE WHERE requester_phone = \(phone) AND kind = 'otp'
                AND delivery_status IN ('undelivered', 'failed') AND NOT failure_notified
                """, logger: logger)
        }
        for sms in decision.outbound {
            try await connection.query(
                """
                INSERT INTO outbox (kind, to_phone, requester_phone, body, not_after, status, next_attempt_at, created_at, updated_at)
                VALUES (\(sms.kind.rawValue), \(sms.to.e164), \(phone), \(sms.body), \(sms.notAfter?.unixMilliseconds), 'pending', \(time), \(time), \(time))
                """, logger: logger)
        }
        for effect in decision.effects {
            switch effect {
            case .sendCode:
                break  // queued above, rendered
            case .recordCodeIssued(let policy, let destination):
                try await connection.query(
                    """
                    INSERT INTO otp_challenges (requester_phone, policy_number, destination_phone, issued_at)
                    VALUES (\(phone), \(policy.canonical), \(destination?.e164), \(time))
                    """, logger: logger)
            case .recordLockout(let policy, let until):
                try await connection.query(
                    """
                    INSERT INTO lockouts (phone, policy_number, locked_at, locked_until)
                    VALUES (\(phone), \(policy.canonical), \(time), \(until.unixMilliseconds))
                    """, logger: logger)
            case .setOptedOut(true):
                try await connection.query(
                    "INSERT INTO opt_outs (phone, opted_out_at) VALUES (\(phone), \(time)) ON CONFLICT (phone) DO NOTHING", logger: logger)
            case .setOptedOut(false):
                try await connection.query("DELETE FROM opt_outs WHERE phone = \(phone)", logger: logger)
            case .audit(let event):
                try await connection.query(
                    """
                    INSERT INTO audit_events (occurred_at, event, phone_masked, policy_number, detail)
                    VALUES (\(time), \(event.name), \(requester.masked), \(event.policy?.canonical), \(event.detail))
                    """, logger: logger)
            }
        }
    }
}
