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
/// locks the row first (``StoreDecision``). Messages of different numbers are read and stored
/// in batches (``InboundBatcher``). The outbox is claimed with
/// `FOR UPDATE SKIP LOCKED` so each SMS goes out from exactly one instance.
public final class PostgresStore: SMSBotStore {
    let logger: Logger
    /// The client, replaced after connection failures so that recovery does not wait out the pool's backoff.
    private let rotation: PostgresClientRotation
    /// Gathers inbound messages into batches.
    private let inbound: InboundBatcher

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
        let rotation = PostgresClientRotation(configuration: configuration, logger: logger)
        self.rotation = rotation
        self.logger = logger
        self.operationTimeout = operationTimeout
        inbound = InboundBatcher { jobs in
            do {
                return try await Self.bounded(operationTimeout, rotation) {
                    try await rotation.current.withConnection { connection in
                        try await Self.handle(jobs, connection: connection, logger: logger)
                    }
                }
            } catch {
                return jobs.map { _ in .failure(error) }
            }
        }
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
        try await Self.bounded(operationTimeout, rotation, operation)
    }

    private static func bounded<T: Sendable>(
        _ timeout: Duration, _ rotation: PostgresClientRotation, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await withDeadline(timeout, operation)
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
        subjects: [CodeSubject],
        decide: @escaping @Sendable (ConversationState, MessageContext) -> InboundDecision
    ) async throws -> InboundOutcome {
        try await bounded { [self] in
            let request = InboundRequest(messageSID: messageSID, phone: message.from, subjects: subjects, now: message.receivedAt)
            if let outcome = try await inbound.submit(InboundBatcher.Job(request: request, decide: decide)) { return outcome }
            let logger = logger
            return try await client.withConnection { connection in
                try await Self.processLocked(request, decide: decide, connection: connection, logger: logger)
            }
        }
    }

    /// Handles `jobs` (messages of different numbers) optimistically: one read for all, each
    /// decided, one write that stores each message whose conversation row is still the version
    /// read (or, for a number without a row, that creates it). A message whose row changed
    /// meanwhile is left to ``processLocked``, and so is one whose row lacks its policy. A write
    /// that fails leaves every message of the batch to be handled alone.
    static func handle(
        _ jobs: [InboundBatcher.Job], connection: PostgresConnection, logger: Logger
    ) async throws -> [Result<InboundOutcome?, any Error>] {
        let facts = try await readInbound(jobs.map(\.request), connection: connection, logger: logger)
        var outcomes: [Result<InboundOutcome?, any Error>] = Array(repeating: .success(nil), count: jobs.count)
        var decided: [(index: Int, message: StoreDecision.Message)] = []
        for (index, (job, facts)) in zip(jobs, facts).enumerated() {
            let request = job.request
            if let receivedAt = facts.seenAt {
                outcomes[index] = Result {
                    .replayed(replies: try InboundMessageRecord.replayedReplies(stored: facts.storedReply, receivedAt: receivedAt, now: request.now))
                }
            } else if !facts.lacksOwnSubject {
                // A state this version cannot read starts the conversation over rather than failing the message.
                let decision = job.decide(facts.state ?? .new, facts.context)
                decided.append((index, StoreDecision.Message(
                    decision: decision, requester: request.phone, messageSID: request.messageSID, now: request.now, version: facts.version)))
            }
        }
        guard !decided.isEmpty else { return outcomes }
        let stored: Set<String>
        do {
            stored = try await store(decided.map(\.message), connection: connection, logger: logger)
        } catch {
            // Only the error's kind and SQLSTATE: its full form quotes the statement's bindings
            // (numbers, codes in SMS bodies) and the server's detail ("Key (phone)=(…)").
            let sqlState = (error as? PSQLError)?.serverInfo?[.sqlState] ?? "-"
            logger.debug("a batch write failed; its messages are handled alone", metadata: ["error": "\(error)", "sqlstate": "\(sqlState)"])
            return outcomes
        }
        for (index, message) in decided where stored.contains(message.messageSID.rawValue) {
            outcomes[index] = .success(.handled(replies: message.decision.replies))
        }
        return outcomes
    }

    /// Handles the message in a transaction that first locks the number's conversation row
    /// (creating it if need be): what serializes a number across instances when the optimistic
    /// write could not. The read is a statement of its own, so that it sees whatever the
    /// transaction that held the lock committed (READ COMMITTED takes a snapshot per statement).
    private static func processLocked(
        _ request: InboundRequest, decide: @escaping @Sendable (ConversationState, MessageContext) -> InboundDecision,
        connection: PostgresConnection, logger: Logger
    ) async throws -> InboundOutcome {
        try await connection.withTransaction(logger: logger) { connection in
            _ = try await connection.execute(LockConversation(phone: request.phone.e164, now: request.now.unixMilliseconds), logger: logger)
            let facts = try await readInbound(request, connection: connection, logger: logger)
            if let receivedAt = facts.seenAt {
                return .replayed(
                    replies: try InboundMessageRecord.replayedReplies(stored: facts.storedReply, receivedAt: receivedAt, now: request.now))
            }
            // A state this version cannot read starts the conversation over rather than failing the message.
            let decision = decide(facts.state ?? .new, facts.context)
            // The row is locked: it is still at the version read.
            guard let version = facts.version,
                try await !store(
                    [StoreDecision.Message(decision: decision, requester: request.phone, messageSID: request.messageSID, now: request.now, version: version)],
                    connection: connection, logger: logger
                ).isEmpty
            else { throw PostgresStoreError.noRow }
            return .handled(replies: decision.replies)
        }
    }
}

/// A store operation that did not finish in time: the database is unreachable or overloaded.
struct StoreTimeout: Error, CustomStringConvertible {
    var description: String { "the database did not answer in time" }
}
