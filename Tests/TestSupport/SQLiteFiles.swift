import GRDB
public import SMSBotSQLite

/// The number of rows in `table` of the SQLite file at `path`, read as an operator's `sqlite3` would.
public func countRows(in table: String, ofDatabaseAt path: String) throws -> Int {
    let queue = try DatabaseQueue(path: path)
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
