public import SMSBotCore

/// Policies the tests import.
public enum TestPolicies {
    public static let auto = Policy(
        number: PolicyNumber("AUTO-1001")!, displayNumber: "AUTO-1001", holderName: "Dana Reyes",
        phone: PhoneNumber(e164: "+15551230001")!, product: "Auto", status: "active", effectiveDate: "2026-01-01",
        expiryDate: "2027-01-01", premium: "128.40", currency: "USD", premiumFrequency: "monthly",
        nextPaymentDue: "2026-12-01", balanceDue: "0.00", coverage: "Liability 100/300/100; collision",
        deductible: "500.00",
        claims: [Claim(claimNumber: "CLM-77", status: "open", filedOn: "2026-10-02", amount: "2300.00", description: "Rear bumper")])

    /// A policy whose phone on file is not the number that texts about it.
    public static let home = Policy(
        number: PolicyNumber("HOME-2002")!, displayNumber: "HOME-2002", holderName: "Sam Okafor",
        phone: PhoneNumber(e164: "+15551230002")!, product: "Home", status: "active", effectiveDate: "2026-03-01",
        expiryDate: "2027-03-01", premium: "1450.00", currency: "USD", premiumFrequency: "annual",
        nextPaymentDue: nil, balanceDue: "120.00", coverage: "Dwelling 350000; contents 120000", deductible: "1000.00",
        claims: [])
}
