public import Foundation
import Logging
import PostgresNIO
public import SMSBotCore
public import SMSBotStorage

/// The verification API's transactions. Requests for one key and destination, and for one
/// idempotency key, take a transaction-scoped advisory lock first (always in that order), so
/// instances handle them one at a time; checks and cancels lock the verification's row.
extension PostgresStore {
    public func requestVerification(
        _ request: VerificationRequest, decide: @escaping @Sendable (VerificationFacts) -> VerificationWrite
    ) async throws -> VerificationRequestOutcome {
        try await bounded { [self] in
            let logger = logger
            return try await client.withTransaction(logger: logger) { connection in
                let binding = APIVerification.binding(requester: request.requester, destination: request.destination)
                if let idempotency = request.idempotency {
                    try await Self.lock("idempotency\n\(request.requester)\n\(idempotency.key)", connection: connection, logger: logger)
                    for try await (digest, response, createdAt) in try await connection.query(
                        PostgresQuery(StoreStatement(SharedSQL.idempotencyRecord, [.text(request.requester), .text(idempotency.key)])),
                        logger: logger
                    ).decode((String, String, Int64).self) {
                        if let outcome = SharedSQL.idempotencyOutcome(for: request, storedDigest: digest, response: response, createdAt: createdAt) {
                            return outcome
                        }
                    }
                }
                try await Self.lock("verification\n\(binding.requester)\n\(binding.subject)", connection: connection, logger: logger)
                let facts = try await Self.facts(for: request, binding: binding, connection: connection, logger: logger)
                let write = decide(facts)
                for statement in try SharedSQL.statements(storing: write, for: request, at: request.now) {
                    try await connection.query(PostgresQuery(statement), logger: logger)
                }
                return .decided(write.response)
            }
        }
    }

    public func verification(id: String, requester: String) async throws -> APIVerification? {
        try await bounded { [self] in
            try await client.withConnection { connection in
                try await Self.verification(
                    StoreStatement(SharedSQL.verificationByID, [.text(id), .text(requester)]), connection: connection, logger: logger)
            }
        }
    }

    public func updateVerification(
        id: String, requester: String, at now: Date, decide: @escaping @Sendable (APIVerification?, BindingHistory) -> VerificationWrite
    ) async throws -> StoredResponse {
        try await bounded { [self] in
            let logger = logger
            return try await client.withTransaction(logger: logger) { connection in
                let verification = try await Self.verification(
                    StoreStatement(SharedSQL.verificationByID + " FOR UPDATE", [.text(id), .text(requester)]), connection: connection,
                    logger: logger)
                var history = BindingHistory()
                if let binding = verification?.binding {
                    let (bindingRequester, subject) = (StoreValue.text(binding.requester), StoreValue.text(binding.subject))
                    history.failedAttempts = try await Self.count(
                        PostgresQuery(StoreStatement(SharedSQL.failedAttempts, [bindingRequester, subject])), connection: connection,
                        logger: logger)
                    let dayAgo = StoreValue.integer(now.addingTimeInterval(-VerificationRules.escalationWindow).unixMilliseconds)
                    for try await lockedAt in try await connection.query(
                        PostgresQuery(StoreStatement(SharedSQL.bindingLockouts, [bindingRequester, subject, dayAgo])), logger: logger
                    ).decode(Int64.self) {
                        history.lockoutsStarted.append(Date(unixMilliseconds: lockedAt))
                    }
                }
                let write = decide(verification, history)
                for statement in try SharedSQL.statements(storing: write, at: now) {
                    try await connection.query(PostgresQuery(statement), logger: logger)
                }
                return write.response
            }
        }
    }

    private static func lock(_ name: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(name), 0))", logger: logger)
    }

    private static func facts(
        for request: VerificationRequest, binding: CodeBinding, connection: PostgresConnection, logger: Logger
    ) async throws -> VerificationFacts {
        var phone: PhoneNumber?
        switch request.destination {
        case .phone(let given):
            phone = given
        case .policy(let policy):
            for try await onFile in try await connection.query(
                PostgresQuery(StoreStatement(SharedSQL.phoneOnFile, [.text(policy.canonical)])), logger: logger
            ).decode(String.self) {
                phone = PhoneNumber(e164: onFile)
            }
        }
        let hourAgo = request.now.addingTimeInterval(-3600).unixMilliseconds
        let statement = StoreStatement(
            SharedSQL.verificationFacts,
            [.text(binding.requester), .text(binding.subject), .integer(hourAgo), .text(phone?.e164 ?? SharedSQL.noPhone)])
        var facts: VerificationFacts?
        for try await (failures, lockedUntil, requests, toPhone, apiCodes, optedOut) in try await connection.query(
            PostgresQuery(statement), logger: logger
        ).decode((Int64?, Int64?, Int64, Int64, Int64, Bool).self) {
            facts = VerificationFacts(
                phone: phone, isOptedOut: optedOut, lockedUntil: lockedUntil.map(Date.init(unixMilliseconds:)),
                failedAttempts: Int(failures ?? 0), requestsLastHour: Int(requests), codesToPhoneLastHour: Int(toPhone),
                apiCodesLastHour: Int(apiCodes))
        }
        guard var facts else { throw PostgresStoreError.noRow }
        facts.pending = try await verification(
            StoreStatement(SharedSQL.pendingVerification, [.text(request.requester), .text(binding.subject)]), connection: connection,
            logger: logger)
        return facts
    }

    private static func verification(_ statement: StoreStatement, connection: PostgresConnection, logger: Logger) async throws
        -> APIVerification?
    {
        for try await (id, requester, subject, status, hash, issuedAt, expiresAt, attemptsLeft, createdAt) in try await connection.query(
            PostgresQuery(statement), logger: logger
        ).decode((String, String, String, String, String, Int64, Int64, Int64, Int64).self) {
            return SharedSQL.verification(
                id: id, requester: requester, subject: subject, status: status, codeHash: hash, issuedAt: issuedAt, expiresAt: expiresAt,
                attemptsLeft: attemptsLeft, createdAt: createdAt)
        }
        return nil
    }
}
