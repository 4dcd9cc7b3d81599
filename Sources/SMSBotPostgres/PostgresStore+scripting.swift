import Foundation
import PostgresNIO
public import SMSBotStorage

extension PostgresStore {
    public func runScript(reads: [StoreStatement], decide: @escaping @Sendable ([[StoreRow]]) throws -> [StoreStatement]) async throws
        -> [[StoreRow]]
    {
        try await bounded { [self] in
            let logger = logger
            return try await Self.unwrappingRefusal {
                try await client.withTransaction(logger: logger) { connection in
                    var results: [[StoreRow]] = []
                    for read in reads {
                        var rows: [StoreRow] = []
                        for try await row in try await connection.query(PostgresQuery(read), logger: logger) {
                            rows.append(try row.map(Self.storeValue))
                        }
                        results.append(rows)
                    }
                    for statement in try decide(results) {
                        try await connection.query(PostgresQuery(statement), logger: logger)
                    }
                    return results
                }
            }
        }
    }

    /// Runs a transaction; when `decide` refused (threw) and the rollback went through, that
    /// error comes out as thrown, not wrapped in PostgresNIO's transaction error; a unique
    /// violation comes out as ``StoreConflict``.
    private static func unwrappingRefusal<T>(_ transaction: () async throws -> T) async throws -> T {
        do {
            return try await transaction()
        } catch let error as PostgresTransactionError where error.rollbackError == nil && error.closureError != nil {
            if let failure = error.closureError as? PSQLError {
                throw failure.serverInfo?[.sqlState] == "23505" ? StoreConflict() : error
            }
            throw error.closureError ?? error
        }
    }

    private static func storeValue(_ cell: PostgresCell) throws -> StoreValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(try cell.decode(Data.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}
