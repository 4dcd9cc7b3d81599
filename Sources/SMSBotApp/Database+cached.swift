import GRDB

extension Database {
    /// Executes `sql` through the connection's statement cache: the hot path compiles each
    /// statement once per connection instead of once per message.
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
