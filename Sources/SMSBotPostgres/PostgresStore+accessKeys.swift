public import Foundation
import Logging
import PostgresNIO
public import SMSBotCore
public import SMSBotStorage

extension PostgresStore {
    public func createAccessKey(_ key: AccessKey, secretDigest: String) async throws {
        do {
            try await bounded { [self] in
                _ = try await client.query(PostgresQuery(SharedSQL.insertingAccessKey(key, secretDigest: secretDigest)), logger: logger)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw AccessKeyExists(name: key.name)
        }
    }

    public func accessKeys() async throws -> [AccessKey] {
        try await bounded { [self] in
            try await Self.accessKeys(client.query(PostgresQuery(StoreStatement(SharedSQL.accessKeys)), logger: logger))
        }
    }

    public func revokeAccessKey(named name: String, at now: Date) async throws -> Bool {
        try await bounded { [self] in
            let counted = PostgresQuery(countingRowsChangedBy: SharedSQL.revokingAccessKey(named: name, at: now))
            return try await client.withConnection { connection in
                try await Self.count(counted, connection: connection, logger: logger)
            } > 0
        }
    }

    public func accessKey(forSecretDigest digest: String, usedAt now: Date) async throws -> AccessKeyUse? {
        try await bounded { [self] in
            let rows = try await client.query(PostgresQuery(SharedSQL.usingAccessKey(digest: digest, at: now)), logger: logger)
            for try await (name, role, createdAt, lastUsedAt, windowStartedAt, windowRequests) in rows.decode(
                (String, String, Int64, Int64?, Int64, Int64).self)
            {
                guard let role = AccessKey.Role(rawValue: role) else { return nil }
                let key = AccessKey(
                    name: name, role: role, createdAt: Date(unixMilliseconds: createdAt),
                    lastUsedAt: lastUsedAt.map(Date.init(unixMilliseconds:)))
                return AccessKeyUse(key: key, windowStartedAt: Date(unixMilliseconds: windowStartedAt), requestsInWindow: Int(windowRequests))
            }
            return nil
        }
    }

    private static func accessKeys(_ rows: PostgresRowSequence) async throws -> [AccessKey] {
        var keys: [AccessKey] = []
        for try await (name, role, createdAt, lastUsedAt, revokedAt) in rows.decode((String, String, Int64, Int64?, Int64?).self) {
            guard let role = AccessKey.Role(rawValue: role) else { continue }
            keys.append(
                AccessKey(
                    name: name, role: role, createdAt: Date(unixMilliseconds: createdAt),
                    lastUsedAt: lastUsedAt.map(Date.init(unixMilliseconds:)), revokedAt: revokedAt.map(Date.init(unixMilliseconds:))))
        }
        return keys
    }
}
