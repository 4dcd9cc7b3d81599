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

    /// The policy, or the first reason it cannot be imported (the import reports one per row).
    func policy(defaultRegion: String) throws(Invalid) -> Policy {
        switch validated(defaultRegion: defaultRegion) {
        case .success(let policy): return policy
        case .failure(let problems): throw Invalid(problems.list.first?.reason ?? "invalid")
        }
    }

    /// The policy, or every field that is wrong with the reason (what the operator API answers).
    func validated(defaultRegion: String) -> Result<Policy, FieldProblems> {
        var problems = FieldProblems()
        let numberText = required("policyNumber", &problems)
        let number = numberText.flatMap { PolicyNumber($0) }
        if numberText != nil, number == nil {
            problems.add("policyNumber", "policyNumber must be 4 to 24 letters and digits (spaces and hyphens allowed) with at least one digit")
        }
        let phone = required("phone", &problems).flatMap { text in
            let phone = PhoneNumber(parsing: text, defaultRegion: defaultRegion)
            if phone == nil { problems.add("phone", "phone is not an E.164 number or a national number of \(defaultRegion)") }
            return phone
        }
        let effective = date("effectiveDate", &problems)
        let expiry = date("expiryDate", &problems)
        if let effective, let expiry, expiry <= effective { problems.add("expiryDate", "expiryDate must be after effectiveDate") }
        let currency = required("currency", &problems)
        if let currency, currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            problems.add("currency", "currency must be a three-letter ISO 4217 code such as USD")
        }
        let claims = claims.enumerated().compactMap { index, claim in Self.claim(claim.fields, index: index + 1, &problems) }
        var firstClaim: [String: Int] = [:]
        for (index, claim) in claims.enumerated() {
            if let first = firstClaim[claim.claimNumber] {
                problems.add("claims[\(index)].claimNumber", "claim \(index + 1): claimNumber \(claim.claimNumber) is already claim \(first)")
            }
            firstClaim[claim.claimNumber] = index + 1
        }
        let holderName = required("holderName", &problems)
        let product = required("product", &problems)
        let status = required("status", &problems)
        let premium = money("premium", &problems)
        let premiumFrequency = required("premiumFrequency", &problems)
        let nextPaymentDue = optionalDate("nextPaymentDue", &problems)
        let balanceDue = optionalMoney("balanceDue", &problems)
        let coverage = required("coverage", &problems)
        let deductible = optionalMoney("deductible", &problems)
        guard problems.list.isEmpty, let number, let numberText, let phone, let effective, let expiry, let currency, let holderName,
            let product, let status, let premium, let premiumFrequency, let coverage
        else { return .failure(problems) }
        return .success(
            Policy(
                number: number, displayNumber: numberText, holderName: holderName, phone: phone, product: product, status: status,
                effectiveDate: effective, expiryDate: expiry, premium: premium, currency: currency, premiumFrequency: premiumFrequency,
                nextPaymentDue: nextPaymentDue, balanceDue: balanceDue ?? "0.00", coverage: coverage, deductible: deductible,
                claims: claims))
    }

    /// The fields that are wrong, in the order they were checked, each with its reason.
    struct FieldProblems: Error {
        var list: [(field: String, reason: String)] = []

        mutating func add(_ field: String, _ reason: String) { list.append((field, reason)) }

        /// One reason per field (the first found).
        var byField: [String: String] { Dictionary(list.map { ($0.field, $0.reason) }, uniquingKeysWith: { first, _ in first }) }
    }

    private func required(_ key: String, _ problems: inout FieldProblems) -> String? {
        guard let value = optional(key) else {
            problems.add(key, "\(key) is missing")
            return nil
        }
        return value
    }

    private func optional(_ key: String) -> String? {
        guard let value = fields[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private func date(_ key: String, _ problems: inout FieldProblems) -> String? {
        guard let value = required(key, &problems) else { return nil }
        return checked(value, key, Self.isDate, "\(key) must be a date YYYY-MM-DD", &problems)
    }

    private func optionalDate(_ key: String, _ problems: inout FieldProblems) -> String? {
        optional(key).flatMap { checked($0, key, Self.isDate, "\(key) must be a date YYYY-MM-DD", &problems) }
    }

    private func money(_ key: String, _ problems: inout FieldProblems) -> String? {
        guard let value = required(key, &problems) else { return nil }
        return checked(value, key, Self.isMoney, "\(key) must be a decimal amount such as 128.40", &problems)
    }

    private func optionalMoney(_ key: String, _ problems: inout FieldProblems) -> String? {
        optional(key).flatMap { checked($0, key, Self.isMoney, "\(key) must be a decimal amount such as 128.40", &problems) }
    }

    private func checked(
        _ value: String, _ key: String, _ isValid: (String) -> Bool, _ reason: String, _ problems: inout FieldProblems
    ) -> String? {
        guard isValid(value) else {
            problems.add(key, reason)
            return nil
        }
        return value
    }

    private static func claim(_ fields: [String: String], index: Int, _ problems: inout FieldProblems) -> Claim? {
        func value(_ key: String) -> String? {
            fields[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let field = "claims[\(index - 1)]"
        let number = value("claimNumber")
        if number == nil { problems.add("\(field).claimNumber", "claim \(index): claimNumber is missing") }
        let status = value("status")
        if status == nil { problems.add("\(field).status", "claim \(index): status is missing") }
        let filedOn = value("filedOn").flatMap { isDate($0) ? $0 : nil }
        if filedOn == nil { problems.add("\(field).filedOn", "claim \(index): filedOn must be a date YYYY-MM-DD") }
        let amount = value("amount")
        if let amount, !isMoney(amount) { problems.add("\(field).amount", "claim \(index): amount must be a decimal amount such as 2300.00") }
        guard let number, let status, let filedOn, amount.map(isMoney) ?? true else { return nil }
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
