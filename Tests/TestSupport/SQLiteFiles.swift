public import GRDB
public import SMSBotSQLite

extension DatabaseQueue {
    /// A connection to the SQLite file at `path` as an operator's `sqlite3` with `.timeout 10000`
    /// opens it: it waits for the running app's write transactions instead of failing at once
    /// with "database is locked" (which a loaded machine turned into a flaky test).
    public static func console(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}

/// The number of rows in `table` of the SQLite file at `path`, read as an operator's `sqlite3` would.
public func countRows(in table: String, ofDatabaseAt path: String) throws -> Int {
    let queue = try DatabaseQueue.console(path: path)
    return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
}

extension SQLiteStore {
    /// The store of the SQLite file at `path`, migrated: what `smsbot migrate` leaves behind.
    public static func migrated(path: String) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        return store
    }
}
