public import Foundation
import GRDB
import SMSBotStorage

extension SQLiteStore {
    public func purge(at now: Date) async throws -> Int {
        try await writer.write { db in
            try SharedSQL.purge(at: now).reduce(0) { purged, statement in purged + (try db.run(statement)) }
        }
    }
}
