import Foundation
import GRDB
public import SMSBotStorage

extension SQLiteStore {
    public func runScript(reads: [StoreStatement], decide: @escaping @Sendable ([[StoreRow]]) throws -> [StoreStatement]) async throws
        -> [[StoreRow]]
    {
        do {
            return try await writer.write { db in
                let rows = try reads.map { read in
                    try Row.fetchAll(db, sql: read.sql, arguments: StatementArguments(read.arguments)).map(Self.storeRow)
                }
                for statement in try decide(rows) {
                    try db.run(statement)
                }
                return rows
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY || error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreConflict()
        }
    }

    private static func storeRow(_ row: Row) -> StoreRow {
        row.databaseValues.map { value in
            switch value.storage {
            case .int64(let integer): .integer(integer)
            case .double(let double): .integer(Int64(double))
            case .string(let text): .text(text)
            case .blob(let data): .blob(data)
            case .null: .null
            }
        }
    }
}
