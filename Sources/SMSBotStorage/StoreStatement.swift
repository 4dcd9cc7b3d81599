public import Foundation

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
    case blob(Data)
    case null

    /// Text, or NULL for `nil`.
    public static func text(_ value: String?) -> StoreValue { value.map(StoreValue.text) ?? .null }

    /// An integer, or NULL for `nil`.
    public static func integer(_ value: Int64?) -> StoreValue { value.map(StoreValue.integer) ?? .null }

    /// The integer held, if any (a boolean reads as 0 or 1).
    public var integer: Int64? { if case .integer(let value) = self { value } else { nil } }

    /// The text held, if any.
    public var text: String? { if case .text(let value) = self { value } else { nil } }

    /// The bytes held, if any.
    public var blob: Data? { if case .blob(let value) = self { value } else { nil } }
}

/// One row a ``StoreScripting`` read returned, its columns in order.
public typealias StoreRow = [StoreValue]

/// Runs reads, then the writes decided from their rows, in one transaction: how the rarely
/// used operator functions are written once for both stores (``OperatorStore``).
public protocol StoreScripting: Sendable {
    /// Runs `reads` in order, hands their rows to `decide`, runs the statements it returns in
    /// order, and returns the rows read; all in one transaction, rolled back if anything throws.
    /// A unique violation comes out as ``StoreConflict``.
    func runScript(reads: [StoreStatement], decide: @escaping @Sendable ([[StoreRow]]) throws -> [StoreStatement]) async throws
        -> [[StoreRow]]
}

/// A write of a script broke a unique constraint (a concurrent transaction got there first);
/// the transaction was rolled back.
public struct StoreConflict: Error {
    public init() {}
}

extension StoreScripting {
    /// Runs `reads` in one transaction and returns their rows.
    public func read(_ reads: StoreStatement...) async throws -> [[StoreRow]] {
        try await runScript(reads: reads) { _ in [] }
    }
}
