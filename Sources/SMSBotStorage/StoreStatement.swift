/// One SQL statement both stores run as written: standard SQL, with parameters `$1`, `$2`, …
/// that first appear in that order (SQLite numbers named parameters by first appearance,
/// PostgreSQL by their digits, so both bind `arguments` alike).
public struct StoreStatement: Equatable, Sendable {
    public var sql: String
    public var arguments: [StoreValue]

    /// Creates a statement.
    public init(_ sql: String, _ arguments: [StoreValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }
}

/// A value bound to a ``StoreStatement`` parameter.
public enum StoreValue: Equatable, Sendable {
    case integer(Int64)
    case text(String)
    case null

    /// Text, or NULL for `nil`.
    public static func text(_ value: String?) -> StoreValue { value.map(StoreValue.text) ?? .null }

    /// An integer, or NULL for `nil`.
    public static func integer(_ value: Int64?) -> StoreValue { value.map(StoreValue.integer) ?? .null }
}
