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
        let requester = StoreValue.text(phone.e164)
        var context = MessageContext(
            isOptedOut: first.isOptedOut, policies: policies, lockouts: lockouts, codeDeliveryFailed: first.codeDeliveryFailed)
        // The same queries for every number mentioned, whether or not its policy exists.
        for number in Set(numbers) {
            let phoneOnFile = StoreValue.text(policies[number]?.phone.e164 ?? SharedSQL.noPhone)
            context.codesToPhoneOnFileLastHour[number] = try await count(
                PostgresQuery(StoreStatement(SharedSQL.codesToDestination, [phoneOnFile, hourAgo])), connection: connection, logger: logger)
            context.codesRequestedLastHour[number] = try await count(
                PostgresQuery(StoreStatement(SharedSQL.codesRequested, [requester, .text(number.canonical), hourAgo])),
                connection: connection, logger: logger)
            for try await failures in try await connection.query(
                PostgresQuery(StoreStatement(SharedSQL.failedAttempts, [requester, .text(number.canonical)])), logger: logger
            ).decode(Int64.self) {
                context.failedAttempts[number] = Int(failures)
            }
        }
        for try await number in try await connection.query(
            PostgresQuery(StoreStatement(SharedSQL.policiesRequested, [requester, .integer(dayAgo)])), logger: logger
        ).decode(String.self) {
            if let policy = PolicyNumber(number) { context.policiesRequestedToday.insert(policy) }
        }
        return context
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
        let policy = state.policy?.canonical
        try await connection.query(
            "UPDATE conversations SET state = \(encoded), updated_at = \(now.unixMilliseconds), policy_number = \(policy) WHERE phone = \(phone)",
            logger: logger)
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
