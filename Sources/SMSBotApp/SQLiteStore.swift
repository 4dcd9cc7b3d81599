public import Foundation
import GRDB
public import SMSBotCore

/// The embedded store: one SQLite file in WAL mode (or a private in-memory database).
///
/// SQLite has one writer at a time, so per-number serialization and the atomicity of each
/// message's transaction come from the write queue itself.
public final class SQLiteStore: SMSBotStore {
    private let writer: any DatabaseWriter

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
        from: PhoneNumber,
        at now: Date,
        handle: @escaping @Sendable (inout Conversation) -> [String]
    ) async throws -> InboundOutcome {
        try await writer.write { db in
            if let seen = try Row.fetchOne(
                db, sql: "SELECT received_at, reply FROM processed_messages WHERE message_sid = ?",
                arguments: [messageSID.rawValue])
            {
                return .replayed(replies: try Self.keptReplies(seen, now: now))
            }
            var conversation = try Self.conversation(of: from, in: db) ?? Conversation(phone: from, state: Data(), updatedAt: now)
            let replies = handle(&conversation)
            try Self.save(conversation, in: db)
            try db.execute(
                sql: "INSERT INTO processed_messages (message_sid, phone, received_at, reply) VALUES (?, ?, ?, ?)",
                arguments: [messageSID.rawValue, from.e164, now.unixMilliseconds, try Self.encode(replies)])
            return .handled(replies: replies)
        }
    }

    private static func conversation(of phone: PhoneNumber, in db: Database) throws -> Conversation? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT state, updated_at FROM conversations WHERE phone = ?", arguments: [phone.e164])
        else { return nil }
        return Conversation(phone: phone, state: row["state"], updatedAt: Date(unixMilliseconds: row["updated_at"]))
    }

    /// Saves the conversation, or forgets it when its state is empty.
    private static func save(_ conversation: Conversation, in db: Database) throws {
        if conversation.isNew {
            try db.execute(sql: "DELETE FROM conversations WHERE phone = ?", arguments: [conversation.phone.e164])
            return
        }
        try db.execute(
            sql: """
                INSERT INTO conversations (phone, state, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (phone) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                """,
            arguments: [conversation.phone.e164, conversation.state, conversation.updatedAt.unixMilliseconds])
    }

    private static func keptReplies(_ row: Row, now: Date) throws -> [String] {
        let receivedAt = Date(unixMilliseconds: row["received_at"])
        guard let reply: String = row["reply"], now.timeIntervalSince(receivedAt) <= InboundMessageRecord.replyRetention
        else { return [] }
        return try JSONDecoder().decode([String].self, from: Data(reply.utf8))
    }

    private static func encode(_ replies: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(replies), as: UTF8.self)
    }
}
