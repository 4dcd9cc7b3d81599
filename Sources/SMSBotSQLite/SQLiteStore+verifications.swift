public import Foundation
import GRDB
public import SMSBotCore
public import SMSBotStorage

/// The verification API's transactions. SQLite's single writer serializes them all, so a key
/// and destination (or an idempotency key) cannot race itself.
extension SQLiteStore {
    public func requestVerification(
        _ request: VerificationRequest, decide: @escaping @Sendable (VerificationFacts) -> VerificationWrite
    ) async throws -> VerificationRequestOutcome {
        try await groupCommit.write { db in
            if let idempotency = request.idempotency,
                let row = try db.row(sql: SharedSQL.idempotencyRecord, arguments: [request.requester, idempotency.key]),
                let outcome = SharedSQL.idempotencyOutcome(for: request, storedDigest: row[0], response: row[1], createdAt: row[2])
            {
                return outcome
            }
            let write = decide(try Self.facts(for: request, in: db))
            for statement in try SharedSQL.statements(storing: write, for: request, at: request.now) {
                try db.run(statement)
            }
            return .decided(write.response)
        }
    }

    public func verification(id: String, requester: String) async throws -> APIVerification? {
        try await writer.read { db in try Self.verification(sql: SharedSQL.verificationByID, [id, requester], in: db) }
    }

    public func updateVerification(
        id: String, requester: String, at now: Date, decide: @escaping @Sendable (APIVerification?, BindingHistory) -> VerificationWrite
    ) async throws -> StoredResponse {
        try await groupCommit.write { db in
            let verification = try Self.verification(sql: SharedSQL.verificationByID, [id, requester], in: db)
            var history = BindingHistory()
            if let binding = verification?.binding {
                history.failedAttempts = try db.value(Int.self, sql: SharedSQL.failedAttempts, arguments: [binding.requester, binding.subject]) ?? 0
                let dayAgo = now.addingTimeInterval(-VerificationRules.escalationWindow).unixMilliseconds
                history.lockoutsStarted = try db.rows(sql: SharedSQL.bindingLockouts, arguments: [binding.requester, binding.subject, dayAgo])
                    .map { Date(unixMilliseconds: $0[0]) }
            }
            let write = decide(verification, history)
            for statement in try SharedSQL.statements(storing: write, at: now) {
                try db.run(statement)
            }
            return write.response
        }
    }

    private static func facts(for request: VerificationRequest, in db: Database) throws -> VerificationFacts {
        let binding = APIVerification.binding(requester: request.requester, destination: request.destination)
        let phone: PhoneNumber? =
            switch request.destination {
            case .phone(let phone): phone
            case .policy(let policy):
                try db.value(String.self, sql: SharedSQL.phoneOnFile, arguments: [policy.canonical]).flatMap(PhoneNumber.init(e164:))
            }
        let hourAgo = request.now.addingTimeInterval(-3600).unixMilliseconds
        let row = try db.row(
            sql: SharedSQL.verificationFacts, arguments: [binding.requester, binding.subject, hourAgo, phone?.e164 ?? SharedSQL.noPhone])!
        return VerificationFacts(
            pending: try verification(sql: SharedSQL.pendingVerification, [request.requester, binding.subject], in: db),
            phone: phone, isOptedOut: row[5], lockedUntil: (row[1] as Int64?).map(Date.init(unixMilliseconds:)),
            failedAttempts: row[0] ?? 0, requestsLastHour: row[2], codesToPhoneLastHour: row[3], apiCodesLastHour: row[4])
    }

    private static func verification(sql: String, _ arguments: StatementArguments, in db: Database) throws -> APIVerification? {
        guard let row = try db.row(sql: sql, arguments: arguments) else { return nil }
        return SharedSQL.verification(
            id: row[0], requester: row[1], subject: row[2], status: row[3], codeHash: row[4], issuedAt: row[5], expiresAt: row[6],
            attemptsLeft: row[7], createdAt: row[8])
    }
}
