public import Foundation
import GRDB
public import SMSBotCore
public import SMSBotStorage

extension SQLiteStore {
    public func createAccessKey(_ key: AccessKey, secretDigest: String) async throws {
        do {
            _ = try await writer.write { db in try db.run(SharedSQL.insertingAccessKey(key, secretDigest: secretDigest)) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw AccessKeyExists(name: key.name)
        }
    }

    public func accessKeys() async throws -> [AccessKey] {
        try await writer.read { db in try db.rows(sql: SharedSQL.accessKeys).compactMap(Self.accessKey) }
    }

    public func revokeAccessKey(named name: String, at now: Date) async throws -> Bool {
        try await writer.write { db in try db.run(SharedSQL.revokingAccessKey(named: name, at: now)) > 0 }
    }

    public func accessKey(forSecretDigest digest: String, usedAt now: Date) async throws -> AccessKeyUse? {
        try await groupCommit.write { db in
            let statement = SharedSQL.usingAccessKey(digest: digest, at: now)
            guard let row = try db.row(sql: statement.sql, arguments: StatementArguments(statement.arguments)),
                let role = AccessKey.Role(rawValue: row[1])
            else { return nil }
            let key = AccessKey(
                name: row[0], role: role, createdAt: Date(unixMilliseconds: row[2]),
                lastUsedAt: (row[3] as Int64?).map(Date.init(unixMilliseconds:)))
            return AccessKeyUse(key: key, windowStartedAt: Date(unixMilliseconds: row[4]), requestsInWindow: row[5])
        }
    }

    private static func accessKey(_ row: Row) -> AccessKey? {
        guard let role = AccessKey.Role(rawValue: row[1]) else { return nil }
        return AccessKey(
            name: row[0], role: role, createdAt: Date(unixMilliseconds: row[2]),
            lastUsedAt: (row[3] as Int64?).map(Date.init(unixMilliseconds:)), revokedAt: (row[4] as Int64?).map(Date.init(unixMilliseconds:)))
    }
}
