public import Foundation
public import Logging
import PostgresNIO
public import SMSBotCore
public import SMSBotStorage
public import ServiceLifecycle

/// The store for several instances: PostgreSQL through a PostgresNIO connection pool.
///
/// Each message's transaction locks its conversation row (created race-free first), so two
/// instances receiving messages from one number process them one at a time; the outbox is
/// claimed with `FOR UPDATE SKIP LOCKED` so each SMS goes out from exactly one instance.
public final class PostgresStore: SMSBotStore {
    let client: PostgresClient
    let logger: Logger
    /// Opens when the pool's service starts.
    private let poolStarted = Latch()

    /// A store for the `postgres://` URL. Nothing connects until ``services`` run; ``migrate()``
    /// then readies the schema.
    public convenience init(url: Secret, logger: Logger) throws(PostgresURLError) {
        self.init(configuration: try DatabaseLocation.postgresConfiguration(url: url), logger: logger)
    }

    init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// The connection pool.
    public var services: [any Service] { [PostgresPoolService(client: client, started: poolStarted)] }

    /// Waits for the pool's service (started with the application, or by ``withRunningStore(_:_:)``),
    /// then migrates: the first query of a process never precedes the pool.
    public func migrate() async throws {
        await poolStarted.wait()
        try await bounded { [self] in try await PostgresMigrations.migrate(client, logger: logger) }
    }

    /// How long one store operation may take. The pool waits for a connection without limit,
    /// so an outage would hang the webhook instead of answering 503 for Twilio to retry.
    static let operationTimeout: Duration = .seconds(10)

    /// Runs `operation`, giving up with ``StoreTimeout`` after ``operationTimeout``. A transaction
    /// cut off before its COMMIT completes is rolled back by the server; one cut off after is
    /// whole, and a retried message is then a replay.
    func bounded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: Self.operationTimeout)
                throw StoreTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    public func checkHealth() async throws {
        try await bounded { [self] in
            try await client.query("SELECT 1 FROM processed_messages LIMIT 1", logger: logger)
        }
    }

    public func processInbound(
        messageSID: MessageSID,
        message: IncomingMessage,
        mentionedPolicies: [PolicyNumber],
        decide: @escaping @Sendable (ConversationState, MessageContext) -> InboundDecision
    ) async throws -> InboundOutcome {
        try await bounded { [self] in
            let logger = logger
            return try await client.withTransaction(logger: logger) { connection in
                let now = message.receivedAt
                let phone = message.from.e164
                // Lock the number's row before anything else: this is what serializes a number across
                // instances. The first look is a statement of its own, so that it sees whatever the
                // transaction that held the lock committed (READ COMMITTED takes a snapshot per statement).
                try await connection.query(
                    "INSERT INTO conversations (phone, state, updated_at) VALUES (\(phone), ''::bytea, \(now.unixMilliseconds)) ON CONFLICT (phone) DO NOTHING",
                    logger: logger)
                try await connection.query("SELECT 1 FROM conversations WHERE phone = \(phone) FOR UPDATE", logger: logger)
                let first = try await Self.firstLook(at: messageSID, from: phone, connection: connection, logger: logger)
                if let receivedAt = first.seenAt {
                    try await Self.forgetIfEmpty(phone: phone, stored: first.storedState, connection: connection, logger: logger)
                    return .replayed(
                        replies: try InboundMessageRecord.replayedReplies(stored: first.storedReply, receivedAt: receivedAt, now: now))
                }
                let state = first.storedState.flatMap(ConversationState.init(storedForm:)) ?? .new
                let context = try await Self.context(
                    for: message.from, state: state, first: first, mentioned: mentionedPolicies, now: now, connection: connection,
                    logger: logger)
                let decision = decide(state, context)
                try await Self.save(decision.state, of: phone, at: now, connection: connection, logger: logger)
                try await Self.apply(decision, requester: message.from, at: now, connection: connection, logger: logger)
                let replies = InboundMessageRecord.encode(decision.replies)
                try await connection.query(
                    "INSERT INTO processed_messages (message_sid, phone, received_at, reply) VALUES (\(messageSID.rawValue), \(phone), \(now.unixMilliseconds), \(replies))",
                    logger: logger)
                return .handled(replies: decision.replies)
            }
        }
    }

    private static func forgetIfEmpty(phone: String, stored: Data?, connection: PostgresConnection, logger: Logger) async throws {
        if stored?.isEmpty ?? true {
            try await connection.query("DELETE FROM conversations WHERE phone = \(phone) AND state = ''::bytea", logger: logger)
        }
    }
}

/// A store operation that did not finish in time: the database is unreachable or overloaded.
struct StoreTimeout: Error, CustomStringConvertible {
    var description: String { "the database did not answer in time" }
}
