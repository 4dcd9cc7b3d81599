import GRDB
import SMSBotStorage

/// The hot path's statements go through the connection's statement cache: each is compiled
/// (and checked by GRDB's authorizer) once per connection instead of once per message.
extension Database {
    /// Executes `sql`.
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// The rows `sql` selects.
    func rows(sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    /// The first row `sql` selects, if any.
    func row(sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    /// The first column of the first row `sql` selects, if any and not NULL.
    func value<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: StatementArguments = StatementArguments()
    ) throws -> Value? {
        try Value.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }
}

extension Database {
    /// Executes a statement written once for both stores; returns how many rows it changed.
    @discardableResult
    func run(_ statement: StoreStatement) throws -> Int {
        try run(sql: statement.sql, arguments: StatementArguments(statement.arguments))
        return changesCount
    }
}

extension StatementArguments {
    /// The values of a ``StoreStatement``, bound by position.
    init(_ values: [StoreValue]) {
        self.init(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .integer(let integer): integer
            case .text(let text): text
            case .blob(let data): data
            case .null: nil
            }
        })
    }
}
