public import Logging
public import SMSBotStorage
import SMSBotPostgres
import SMSBotSQLite

/// The store `location` names, not yet migrated: the one place that knows the implementations.
/// Its ``StoreMaintenance/services`` must run while it is used (``withRunningStore(_:_:)``
/// outside the server).
public func openStore(_ location: DatabaseLocation, logger: Logger = Logger(label: "smsbot")) throws -> any SMSBotStore {
    switch location {
    case .sqliteFile(let path):
        return try SQLiteStore(path: path, logger: logger)
    case .sqliteInMemory:
        return try SQLiteStore(logger: logger)
    case .postgres(let url):
        return try PostgresStore(url: url, logger: logger)
    }
}

extension DatabaseLocation {
    /// A description that is safe to log: no credentials.
    public var summary: String {
        switch self {
        case .sqliteFile(let path): "sqlite:\(path)"
        case .sqliteInMemory: "sqlite::memory:"
        case .postgres: "postgres"
        }
    }
}
