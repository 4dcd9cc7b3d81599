import PostgresNIO
import SMSBotStorage

extension PostgresQuery {
    /// A statement written once for both stores.
    init(_ statement: StoreStatement) {
        var bindings = PostgresBindings()
        for value in statement.arguments {
            switch value {
            case .integer(let integer): bindings.append(integer)
            case .text(let text): bindings.append(text)
            case .null: bindings.appendNull()
            }
        }
        self.init(unsafeSQL: statement.sql, binds: bindings)
    }
}
