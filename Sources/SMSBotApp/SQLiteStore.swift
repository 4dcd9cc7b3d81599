public import Foundation
import GRDB
public import SMSBotCore

/// The embedded store: one SQLite file in WAL mode (or a private in-memory database).
///
/// SQLite has one writer at a time, so per-number serialization and the atomicity of each
/// message's transaction come from the write queue itself.
public final class SQLiteStore: SMSBotStore {
    let writer: any DatabaseWriter
    /// Where each message's (and each outbox update's) small transaction goes, so that those
    /// arriving together commit together.
    let groupCommit: GroupCommit

    /// Opens (creating when missing) the database file at `path` and migrates it.
    public convenience init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try self.init(writer: DatabasePool(path: path, configuration: Self.configuration))
    }

    /// Opens a private in-memory database and migrates it.
    public convenience init() throws {
        try self.init(writer: DatabaseQueue(configuration: Self.configuration))
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        self.groupCommit = GroupCommit(writer: writer)
        try SQLiteMigrations.migrator.migrate(writer)
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        return configuration
    }

    public func checkHealth() async throws {
        // Touches the schema, not only the connection: a store without its tables is not healthy.
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1 FROM processed_messages LIMIT 1") }
    }

    public func processInbound(
        messageSID: MessageSID,
        message: IncomingMessage,
        mentionedPolicies: [PolicyNumber],
        decide: @escaping @Sendable (ConversationState, MessageContext) -> InboundDecision
    ) async throws -> InboundOutcome {
        try await groupCommit.write { db in
            let now = message.receivedAt
            let first = try Self.firstLook(at: messageSID, from: message.from, in: db)
            if let receivedAt = first.seenAt {
                return .replayed(replies: try InboundMessageRecord.replayedReplies(stored: first.storedReply, receivedAt: receivedAt, now: now))
            }
            let context = try Self.context(for: message.from, first: first, mentioned: mentionedPolicies, now: now, in: db)
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
