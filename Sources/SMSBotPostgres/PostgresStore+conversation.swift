import Foundation
import Logging
import PostgresNIO
import SMSBotCore
import SMSBotStorage

/// Loading what the engine needs and storing what it decided, inside the message's transaction.
extension PostgresStore {
    /// What ``SharedSQL/firstLook`` finds before a message is handled.
    struct FirstLook {
        /// When the SID was first received, if it was; its stored replies.
        var seenAt: Int64?
        var storedReply: String?
        var storedState: Data?
        var isOptedOut: Bool
        var codeDeliveryFailed: Bool
    }

    static func firstLook(at messageSID: MessageSID, from phone: String, connection: PostgresConnection, logger: Logger) async throws -> FirstLook {
        let statement = StoreStatement(SharedSQL.firstLook, [.text(messageSID.rawValue), .text(phone)])
        for try await (seenAt, reply, state, optedOut, deliveryFailed) in try await connection.query(
            PostgresQuery(statement), logger: logger
        ).decode((Int64?, String?, Data?, Bool, Bool).self) {
            return FirstLook(seenAt: seenAt, storedReply: reply, storedState: state, isOptedOut: optedOut, codeDeliveryFailed: deliveryFailed)
        }
        throw PostgresStoreError.noRow
    }

    static func context(
        for phone: PhoneNumber, state: ConversationState, first: FirstLook, mentioned: [PolicyNumber], now: Date,
        connection: PostgresConnection, logger: Logger
    ) async throws -> MessageContext {
        var numbers = mentioned
        if let policy = state.policy { numbers.append(policy) }
        let policies = try await policies(numbered: numbers, connection: connection, logger: logger)
        let dayAgo = now.addingTimeInterval(-24 * 3600).unixMilliseconds
        var lockouts: [Lockout] = []
        for try await (policy, lockedAt, until) in try await connection.query(
            PostgresQuery(StoreStatement(SharedSQL.recentLockouts, [.text(phone.e164), .integer(dayAgo)])), logger: logger
        ).decode((String, Int64, Int64).self) {
            guard let number = PolicyNumber(policy) else { continue }
            lockouts.append(Lockout(policy: number, lockedAt: Date(unixMilliseconds: lockedAt), until: Date(unixMilliseconds: until)))
        }
        let hourAgo = StoreValue.integer(now.addingTimeInterval(-3600).unixMilliseconds)
        var issued: [PolicyNumber: Int] = [:]
        for number in Set(numbers) {
            let statement =
                if let policy = policies[number] {
                    StoreStatement(SharedSQL.codesToDestination, [.text(policy.phone.e164), hourAgo])
                } else {
                    StoreStatement(SharedSQL.codesForUnknownPolicy, [.text(phone.e164), .text(number.canonical), hourAgo])
                }
            issued[number] = try await count(PostgresQuery(statement), connection: connection, logger: logger)
        }
        return MessageContext(
            isOptedOut: first.isOptedOut, policies: policies, lockouts: lockouts, codesIssuedLastHour: issued,
            codeDeliveryFailed: first.codeDeliveryFailed)
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
        for statement in SharedSQL.statements(storing: decision, requester: requester, at: now) {
            try await connection.query(PostgresQuery(statement), logger: logger)
        }
    }
}

/// A query that always yields a row yielded none.
enum PostgresStoreError: Error {
    case noRow
}
