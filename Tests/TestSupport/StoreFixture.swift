import Foundation
import GRDB
import Logging
public import PostgresNIO
public import SMSBotCore
import SMSBotPostgres
import SMSBotSQLite
public import SMSBotStorage
public import Testing

/// A fresh store of either kind for one test, with direct access to its tables, as an
/// operator's `sqlite3` or `psql` would have.
public struct StoreFixture: Sendable {
    public enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite
        case postgres

        public var testDescription: String { rawValue }
    }

    public let kind: Kind
    public let location: DatabaseLocation
    private let folder: TemporaryDirectory
    private let databaseName: String?

    /// A new, empty database: a SQLite file in a temporary folder, or a new database on the
    /// PostgreSQL server `TEST_DATABASE_URL` names (which `scripts/test` starts).
    public static func make(_ kind: Kind) async throws -> StoreFixture {
        let folder = try TemporaryDirectory()
        switch kind {
        case .sqlite:
            return StoreFixture(kind: kind, location: .sqliteFile(path: folder.path("smsbot.sqlite")), folder: folder, databaseName: nil)
        case .postgres:
            let server = try #require(
                ProcessInfo.processInfo.environment["TEST_DATABASE_URL"],
                "PostgreSQL tests need TEST_DATABASE_URL: run scripts/test, which starts a throwaway server")
            let name = "smsbot_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await withPostgres(url: server) { client in
                try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            }
            var components = try #require(URLComponents(string: server))
            components.path = "/" + name
            let url = try #require(components.string)
            return StoreFixture(kind: kind, location: .postgres(url: Secret(url)), folder: folder, databaseName: name)
        }
    }

    /// The folder the test may keep files in (the secrets key, a SQLite file).
    public var directory: TemporaryDirectory { folder }

    /// Runs `body` with the store open: its services running and its schema migrated.
    public func withStore<T>(_ body: (any SMSBotStore) async throws -> T) async throws -> T {
        let logger = Logger(label: "smsbot-test") { _ in SwiftLogNoOpLogHandler() }
        let store: any SMSBotStore =
            switch location {
            case .sqliteFile(let path): try SQLiteStore(path: path, logger: logger)
            case .sqliteInMemory: try SQLiteStore(logger: logger)
            // The checks test what the store does, not its speed on a loaded 2-core CI machine.
            case .postgres(let url): try PostgresStore(url: url, logger: logger, operationTimeout: .seconds(20))
            }
        return try await withRunningStore(store, body)
    }

    /// The number of rows in `table`.
    public func count(_ table: String, where condition: String = "TRUE") async throws -> Int {
        try await integer("SELECT count(*) FROM \(table) WHERE \(condition)")
    }

    /// The first column of the first row of `sql`, read as text (NULL as `nil`).
    public func text(_ sql: String) async throws -> String? {
        switch location {
        case .sqliteFile(let path):
            return try await DatabaseQueue.console(path: path).read { db in try String.fetchOne(db, sql: sql) }
        case .postgres(let url):
            return try await withPostgres(url: url.value) { client in
                for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(String?.self) { return value }
                return nil
            }
        case .sqliteInMemory:
            return nil
        }
    }

    /// Runs `sql` as an operator at the database's console would (to break a table under a live server, say).
    public func execute(_ sql: String) async throws {
        switch location {
        case .sqliteFile(let path):
            try await DatabaseQueue.console(path: path).write { db in try db.execute(sql: sql) }
        case .postgres(let url):
            try await withPostgres(url: url.value) { client in _ = try await client.query(PostgresQuery(unsafeSQL: sql)) }
        case .sqliteInMemory:
            break
        }
    }

    /// A conversation's stored state.
    public func conversationState(of phone: String) async throws -> ConversationState? {
        let data: Data?
        switch location {
        case .sqliteFile(let path):
            data = try await DatabaseQueue.console(path: path).read { db in
                try Data.fetchOne(db, sql: "SELECT state FROM conversations WHERE phone = ?", arguments: [phone])
            }
        case .postgres(let url):
            data = try await withPostgres(url: url.value) { client in
                for try await value in try await client.query("SELECT state FROM conversations WHERE phone = \(phone)").decode(Data.self) {
                    return value
                }
                return nil
            }
        case .sqliteInMemory:
            data = nil
        }
        return data.flatMap(ConversationState.init(storedForm:))
    }

    /// Removes the database and the folder.
    public func remove() async {
        folder.remove()
        guard let databaseName, let server = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { return }
        try? await withPostgres(url: server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)"))
        }
    }

    private func integer(_ sql: String) async throws -> Int {
        switch location {
        case .sqliteFile(let path):
            return try await DatabaseQueue.console(path: path).read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
        case .postgres(let url):
            return try await withPostgres(url: url.value) { client in
                for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(Int64.self) { return Int(value) }
                return 0
            }
        case .sqliteInMemory:
            return 0
        }
    }
}

/// Runs `body` with a PostgresNIO client connected to `url`, running for just that long.
public func withPostgres<T: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    let components = try #require(URLComponents(string: url), "TEST_DATABASE_URL is not a URL")
    let host = try #require(components.host, "TEST_DATABASE_URL names no host: postgres://USER@HOST:PORT/DATABASE")
    let user = try #require(components.user, "TEST_DATABASE_URL names no user: postgres://USER@HOST:PORT/DATABASE")
    let configuration = PostgresClient.Configuration(
        host: host, port: components.port ?? 5432, username: user, password: components.password,
        database: String(components.path.dropFirst()), tls: .disable)
    let client = PostgresClient(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}
