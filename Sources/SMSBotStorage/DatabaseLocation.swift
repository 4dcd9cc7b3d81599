public import SMSBotCore

/// Where the store lives, parsed from `database.url`.
public enum DatabaseLocation: Sendable, Equatable {
    /// A SQLite file (`sqlite:PATH`), created with its folder when missing.
    case sqliteFile(path: String)
    /// A private in-memory SQLite database (`sqlite::memory:`), gone when the process ends.
    case sqliteInMemory
    /// A PostgreSQL server (`postgres://…` or `postgresql://…`).
    case postgres(url: Secret)

    /// Parses a `database.url` value; `nil` when it names no engine we know.
    public init?(url: String) {
        if url == "sqlite::memory:" {
            self = .sqliteInMemory
        } else if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            guard !path.isEmpty else { return nil }
            self = .sqliteFile(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: Secret(url))
        } else {
            return nil
        }
    }
}
