import Foundation
public import Logging
import PostgresNIO
public import SMSBotCore
public import SMSBotStorage
public import ServiceLifecycle

/// The store for several instances: PostgreSQL through a PostgresNIO connection pool.
///
/// Messages from one number are processed one at a time across instances: each is stored only
/// if its conversation row is still the version read, or else handled in a transaction that
/// locks the row first (``StoreDecision``); the outbox is claimed with
/// `FOR UPDATE SKIP LOCKED` so each SMS goes out from exactly one instance.
public final class PostgresStore: SMSBotStore {
    let logger: Logger
    /// The client, replaced after connection failures so that recovery does not wait out the pool's backoff.
    private let rotation: PostgresClientRotation

    /// A store for the `postgres://` URL. Nothing connects until ``services`` run; ``migrate()``
    /// then readies the schema.
    ///
    /// `operationTimeout` is SPEC §3's bound; the conformance checks, which test what the store
    /// does and not how fast, lengthen it so that a loaded test machine does not fail them.
    public convenience init(url: Secret, logger: Logger, operationTimeout: Duration = PostgresStore.defaultOperationTimeout)
        throws(PostgresURLError)
    {
        self.init(configuration: try DatabaseLocation.postgresConfiguration(url: url), logger: logger, operationTimeout: operationTimeout)
    }

    init(configuration: PostgresClient.Configuration, logger: Logger, operationTimeout: Duration = PostgresStore.defaultOperationTimeout) {
        self.rotation = PostgresClientRotation(configuration: configuration, logger: logger)
        self.logger = logger
        self.operationTimeout = operationTimeout
    }

    /// The client operations use now.
    var client: PostgresClient { rotation.current }

    /// The connection pool.
    public var services: [any Service] { [rotation] }

    /// Waits for the pool's service (started with the application, or by ``withRunningStore(_:_:)``),
    /// then migrates: the first query of a process never precedes the pool.
    public func migrate() async throws {
        await rotation.started.wait()
        try await bounded { [self] in try await PostgresMigrations.migrate(client, logger: logger) }
    }

    /// How long one store operation may take: SPEC §3 wants a 503 within 5 s of an outage. The
    /// pool waits for a connection without limit, so an outage would hang the webhook instead.
    public static let defaultOperationTimeout: Duration = .seconds(4)

    /// How long one store operation may take (``defaultOperationTimeout`` unless told otherwise).
    let operationTimeout: Duration

    /// Runs `operation`, giving up with ``StoreTimeout`` after ``operationTimeout`` even when
    /// the operation does not notice cancellation (a hung connection). A transaction cut off
    /// before its COMMIT completes is rolled back by the server; one cut off after is whole,
    /// and a retried message is then a replay. A failure that says the database is not
    /// reachable replaces the client (``PostgresClientRotation``).
    func bounded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withDeadline(operationTimeout, operation)
        } catch {
            rotation.operationFailed(error)
            throw error
        }
    }

    public func checkHealth() async throws {
        try await bounded { [self] in
            // Read to the end: a client's connection goes back to the pool when its rows are done.
            for try await _ in try await client.query("SELECT 1 FROM processed_messages LIMIT 1", logger: logger) {}
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
            return try await client.withConnection { connection in
                let now = message.receivedAt
                // Optimistic: read, decide, and write if the conversation row did not change meanwhile
                // (two statements, each its own transaction). A message from a number without a row
                // takes the locked transaction: a row created and ended in between would go unseen.
                let facts = try await Self.readInbound(
                    messageSID, from: message.from, mentioned: mentionedPolicies, at: now, connection: connection, logger: logger)
                if let receivedAt = facts.seenAt {
                    return .replayed(
                        replies: try InboundMessageRecord.replayedReplies(stored: facts.storedReply, receivedAt: receivedAt, now: now))
                }
                if let version = facts.version {
                    let decision = decide(facts.state ?? .new, facts.context)
                    if try await Self.store(
                        decision, of: messageSID, from: message.from, at: now, ifAt: version, connection: connection, logger: logger)
                    {
                        return .handled(replies: decision.replies)
                    }
                }
                return try await Self.processLocked(
                    messageSID: messageSID, message: message, mentionedPolicies: mentionedPolicies, decide: decide, connection: connection,
                    logger: logger)
            }
        }
    }

    /// Handles the message in a transaction that first locks the number's conversation row
    /// (creating it if need be): what serializes a number across instances when the optimistic
    /// write could not. The read is a statement of its own, so that it sees whatever the
    /// transaction that held the lock committed (READ COMMITTED takes a snapshot per statement).
    private static func processLocked(
        messageSID: MessageSID, message: IncomingMessage, mentionedPolicies: [PolicyNumber],
        decide: @escaping @Sendable (ConversationState, MessageContext) -> InboundDecision, connection: PostgresConnection, logger: Logger
    ) async throws -> InboundOutcome {
        try await connection.withTransaction(logger: logger) { connection in
            let now = message.receivedAt
            _ = try await connection.execute(LockConversation(phone: message.from.e164, now: now.unixMilliseconds), logger: logger)
            let facts = try await readInbound(
                messageSID, from: message.from, mentioned: mentionedPolicies, at: now, connection: connection, logger: logger)
            if let receivedAt = facts.seenAt {
                try await forgetIfEmpty(phone: message.from.e164, stored: facts.storedState, connection: connection, logger: logger)
                return .replayed(
                    replies: try InboundMessageRecord.replayedReplies(stored: facts.storedReply, receivedAt: receivedAt, now: now))
            }
            // A state this version cannot read starts the conversation over rather than failing the message.
            let decision = decide(facts.state ?? .new, facts.context)
            // The row is locked: it is still at the version read.
            guard let version = facts.version,
                try await store(decision, of: messageSID, from: message.from, at: now, ifAt: version, connection: connection, logger: logger)
            else { throw PostgresStoreError.noRow }
            return .handled(replies: decision.replies)
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
