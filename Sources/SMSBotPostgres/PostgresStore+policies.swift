public import Foundation
import Logging
import PostgresNIO
public import SMSBotCore
import SMSBotStorage

extension PostgresStore {
    /// Not bounded by ``operationTimeout``: an import of a million policies takes minutes, and
    /// one given up on while its COMMIT goes through would be reported failed yet be stored.
    public func upsertPolicies(_ policies: [Policy], at now: Date) async throws {
        let logger = logger
        try await client.withTransaction(logger: logger) { connection in
            for policy in policies {
                try await Self.upsert(policy, at: now, connection: connection, logger: logger)
            }
        }
    }

    public func insertMissingPolicies(_ policies: [Policy], at now: Date) async throws -> Int {
        try await bounded { [self] in
            let logger = logger
            return try await client.withTransaction(logger: logger) { connection in
                let existing = try await Self.policies(numbered: policies.map(\.number), connection: connection, logger: logger)
                let missing = policies.filter { existing[$0.number] == nil }
                for policy in missing {
                    try await Self.upsert(policy, at: now, connection: connection, logger: logger)
                }
                return missing.count
            }
        }
    }

    public func allPolicies() async throws -> [Policy] {
        try await bounded { [self] in
            let logger = logger
            return try await client.withConnection { connection in
                try await Self.policies(where: "TRUE", connection: connection, logger: logger).sorted { $0.number.canonical < $1.number.canonical }
            }
        }
    }

    /// The policies among `numbers` that exist, with their claims.
    static func policies(numbered numbers: [PolicyNumber], connection: PostgresConnection, logger: Logger) async throws -> [PolicyNumber: Policy] {
        let unique = Array(Set(numbers.map(\.canonical)))
        guard !unique.isEmpty else { return [:] }
        let found = try await policies(where: "policy_number = ANY($1)", binding: unique, connection: connection, logger: logger)
        return Dictionary(uniqueKeysWithValues: found.map { ($0.number, $0) })
    }

    private static func policies(
        where condition: String, binding numbers: [String]? = nil, connection: PostgresConnection, logger: Logger
    ) async throws -> [Policy] {
        var bindings = PostgresBindings()
        if let numbers { bindings.append(numbers) }
        let columns = """
            policy_number, display_number, holder_name, phone, product, status, effective_date, expiry_date, premium,
            currency, premium_frequency, next_payment_due, balance_due, coverage, deductible
            """
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(columns) FROM policies WHERE \(condition)", binds: bindings), logger: logger)
        var policies: [Policy] = []
        for try await row in rows {
            let r = try row.decode(
                (String, String, String, String, String, String, String, String, String, String, String, String?, String, String, String?).self)
            guard let number = PolicyNumber(r.0), let phone = PhoneNumber(e164: r.3) else { continue }
            policies.append(
                Policy(
                    number: number, displayNumber: r.1, holderName: r.2, phone: phone, product: r.4, status: r.5,
                    effectiveDate: r.6, expiryDate: r.7, premium: r.8, currency: r.9, premiumFrequency: r.10,
                    nextPaymentDue: r.11, balanceDue: r.12, coverage: r.13, deductible: r.14, claims: []))
        }
        guard !policies.isEmpty else { return [] }
        var claims: [String: [Claim]] = [:]
        let numbers = policies.map(\.number.canonical)
        for try await (policy, number, status, filedOn, amount, description) in try await connection.query(
            """
            SELECT policy_number, claim_number, status, filed_on, amount, description FROM claims
            WHERE policy_number = ANY(\(numbers)) ORDER BY filed_on DESC, claim_number
            """, logger: logger
        ).decode((String, String, String, String, String?, String?).self) {
            claims[policy, default: []].append(
                Claim(claimNumber: number, status: status, filedOn: filedOn, amount: amount, description: description))
        }
        return policies.map { policy in
            var policy = policy
            policy.claims = claims[policy.number.canonical] ?? []
            return policy
        }
    }

    private static func upsert(_ policy: Policy, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        for statement in SharedSQL.statements(upserting: policy, at: now) {
            try await connection.query(PostgresQuery(statement), logger: logger)
        }
    }
}
