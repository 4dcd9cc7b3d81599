import Foundation
import SMSBotCore

/// One policy as read from a file, before validation: text fields by key, and its line.
struct PolicyRecord {
    /// A claim as read from JSON.
    struct ClaimFields {
        var fields: [String: String]
    }

    /// A row that cannot be imported; `reason` never quotes a phone number.
    struct Invalid: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static let keys: Set<String> = [
        "policyNumber", "holderName", "phone", "product", "status", "effectiveDate", "expiryDate", "premium", "currency",
        "premiumFrequency", "nextPaymentDue", "balanceDue", "coverage", "deductible",
    ]
    static let claimKeys: Set<String> = ["claimNumber", "status", "filedOn", "amount", "description"]

    var line: Int
    var fields: [String: String]
    var claims: [ClaimFields] = []

    func policy(defaultRegion: String) throws(Invalid) -> Policy {
        let numberText = try required("policyNumber")
        guard let number = PolicyNumber(numberText) else {
            throw Invalid("policyNumber must be 4 to 24 letters and digits (spaces and hyphens allowed) with at least one digit")
        }
        guard let phone = PhoneNumber(parsing: try required("phone"), defaultRegion: defaultRegion) else {
            throw Invalid("phone is not an E.164 number or a national number of \(defaultRegion)")
        }
        let effective = try date("effectiveDate")
        let expiry = try date("expiryDate")
        guard expiry > effective else { throw Invalid("expiryDate must be after effectiveDate") }
        let currency = try required("currency")
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw Invalid("currency must be a three-letter ISO 4217 code such as USD")
        }
        let claims = try claims.enumerated().map { index, claim throws(Invalid) in try Self.claim(claim.fields, index: index + 1) }
        var firstClaim: [String: Int] = [:]
        for (index, claim) in claims.enumerated() {
            if let first = firstClaim[claim.claimNumber] {
                throw Invalid("claim \(index + 1): claimNumber \(claim.claimNumber) is already claim \(first)")
            }
            firstClaim[claim.claimNumber] = index + 1
        }
        return Policy(
            number: number, displayNumber: numberText, holderName: try required("holderName"), phone: phone,
            product: try required("product"), status: try required("status"), effectiveDate: effective,
            expiryDate: expiry, premium: try money("premium"), currency: currency,
            premiumFrequency: try required("premiumFrequency"), nextPaymentDue: try optionalDate("nextPaymentDue"),
            balanceDue: try optionalMoney("balanceDue") ?? "0.00", coverage: try required("coverage"),
            deductible: try optionalMoney("deductible"), claims: claims)
    }

    private func required(_ key: String) throws(Invalid) -> String {
        guard let value = fields[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw Invalid("\(key) is missing")
        }
        return value
    }

    private func optional(_ key: String) -> String? {
        guard let value = fields[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private func date(_ key: String) throws(Invalid) -> String {
        let value = try required(key)
        guard Self.isDate(value) else { throw Invalid("\(key) must be a date YYYY-MM-DD") }
        return value
    }

    private func optionalDate(_ key: String) throws(Invalid) -> String? {
        guard let value = optional(key) else { return nil }
        guard Self.isDate(value) else { throw Invalid("\(key) must be a date YYYY-MM-DD") }
        return value
    }

    private func money(_ key: String) throws(Invalid) -> String {
        let value = try required(key)
        guard Self.isMoney(value) else { throw Invalid("\(key) must be a decimal amount such as 128.40") }
        return value
    }

    private func optionalMoney(_ key: String) throws(Invalid) -> String? {
        guard let value = optional(key) else { return nil }
        guard Self.isMoney(value) else { throw Invalid("\(key) must be a decimal amount such as 128.40") }
        return value
    }

    private static func claim(_ fields: [String: String], index: Int) throws(Invalid) -> Claim {
        func value(_ key: String) -> String? {
            fields[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let number = value("claimNumber") else { throw Invalid("claim \(index): claimNumber is missing") }
        guard let status = value("status") else { throw Invalid("claim \(index): status is missing") }
        guard let filedOn = value("filedOn"), isDate(filedOn) else { throw Invalid("claim \(index): filedOn must be a date YYYY-MM-DD") }
        let amount = value("amount")
        if let amount, !isMoney(amount) { throw Invalid("claim \(index): amount must be a decimal amount such as 2300.00") }
        return Claim(claimNumber: number, status: status, filedOn: filedOn, amount: amount, description: value("description"))
    }

    /// A real calendar date written `YYYY-MM-DD`.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// A non-negative decimal with at most four decimals, e.g. `128.40`.
    static func isMoney(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 15,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return false }
        return parts.count == 1 || (1...4).contains(parts[1].count)
    }
}
