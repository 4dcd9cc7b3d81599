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
            case .blob(let data): bindings.append(ByteBuffer(bytes: data))
            case .null: bindings.appendNull()
            }
        }
        self.init(unsafeSQL: statement.sql, binds: bindings)
    }
}

extension PostgresQuery {
    /// `statement` (an UPDATE or DELETE) wrapped to select how many rows it changed, as
    /// PostgresNIO gives no row count.
    init(countingRowsChangedBy statement: StoreStatement) {
        self.init(statement)
        sql = "WITH changed AS (\(statement.sql) RETURNING 1) SELECT count(*) FROM changed"
    }
}
