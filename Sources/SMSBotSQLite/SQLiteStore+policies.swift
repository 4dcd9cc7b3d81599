public import Foundation
import GRDB
public import SMSBotCore
import SMSBotStorage

extension SQLiteStore {
    public func upsertPolicies(_ policies: [Policy], at now: Date) async throws {
        try await writer.write { db in
            for policy in policies {
                try Self.upsert(policy, at: now, in: db)
            }
        }
    }

    public func insertMissingPolicies(_ policies: [Policy], at now: Date) async throws -> Int {
        try await writer.write { db in
            let existing = try Self.policies(numbered: policies.map(\.number), in: db)
            let missing = policies.filter { existing[$0.number] == nil }
            for policy in missing {
                try Self.upsert(policy, at: now, in: db)
            }
            return missing.count
        }
    }

    public func allPolicies() async throws -> [Policy] {
        try await writer.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT \(Self.policyColumns) FROM policies ORDER BY policy_number")
            return try Self.policies(from: rows, in: db)
        }
    }

    /// The policies among `numbers` that exist, with their claims.
    static func policies(numbered numbers: [PolicyNumber], in db: Database) throws -> [PolicyNumber: Policy] {
        // One cached statement per number: a message mentions one or two.
        let rows = try Set(numbers.map(\.canonical)).compactMap { number in
            try db.row(sql: "SELECT \(policyColumns) FROM policies WHERE policy_number = ?", arguments: [number])
        }
        return Dictionary(uniqueKeysWithValues: try policies(from: rows, in: db).map { ($0.number, $0) })
    }

    /// The columns a ``Policy`` is read from, in the order `policies(from:in:)` reads them by
    /// position (by name, GRDB searches the columns for every value).
    private static let policyColumns = """
        policy_number, display_number, holder_name, phone, product, status, effective_date, expiry_date, premium,
        currency, premium_frequency, next_payment_due, balance_due, coverage, deductible
        """

    private static func policies(from rows: [Row], in db: Database) throws -> [Policy] {
        try rows.compactMap { row in
            let canonical: String = row[0]
            guard let number = PolicyNumber(canonical), let phone = PhoneNumber(e164: row[3]) else { return nil }
            let claims = try db.rows(
                sql: """
                    SELECT claim_number, status, filed_on, amount, description FROM claims WHERE policy_number = ?
                    ORDER BY filed_on DESC, claim_number
                    """,
                arguments: [canonical]
            ).map { claim in
                Claim(claimNumber: claim[0], status: claim[1], filedOn: claim[2], amount: claim[3], description: claim[4])
            }
            return Policy(
                number: number, displayNumber: row[1], holderName: row[2], phone: phone, product: row[4], status: row[5],
                effectiveDate: row[6], expiryDate: row[7], premium: row[8], currency: row[9], premiumFrequency: row[10],
                nextPaymentDue: row[11], balanceDue: row[12], coverage: row[13], deductible: row[14], claims: claims)
        }
    }

    private static func upsert(_ policy: Policy, at now: Date, in db: Database) throws {
        for statement in SharedSQL.statements(upserting: policy, at: now) {
            try db.run(statement)
        }
    }
}
