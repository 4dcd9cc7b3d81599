/// An insurance policy as the bot may reveal it to its verified holder (SPEC §6).
/// Money stays the decimal string it was imported as; dates are `YYYY-MM-DD`.
public struct Policy: Equatable, Sendable {
    public var number: PolicyNumber
    /// The number as the insurer writes it, e.g. `AUTO-1001`.
    public var displayNumber: String
    public var holderName: String
    /// The phone on file: the only number a passcode for this policy is ever sent to.
    public var phone: PhoneNumber
    public var product: String
    public var status: String
    public var effectiveDate: String
    public var expiryDate: String
    public var premium: String
    public var currency: String
    public var premiumFrequency: String
    public var nextPaymentDue: String?
    public var balanceDue: String
    public var coverage: String
    public var deductible: String?
    public var claims: [Claim]

    /// Creates a policy.
    public init(
        number: PolicyNumber, displayNumber: String, holderName: String, phone: PhoneNumber, product: String,
        status: String, effectiveDate: String, expiryDate: String, premium: String, currency: String,
        premiumFrequency: String, nextPaymentDue: String?, balanceDue: String, coverage: String,
        deductible: String?, claims: [Claim]
    ) {
        self.number = number
        self.displayNumber = displayNumber
        self.holderName = holderName
        self.phone = phone
        self.product = product
        self.status = status
        self.effectiveDate = effectiveDate
        self.expiryDate = expiryDate
        self.premium = premium
        self.currency = currency
        self.premiumFrequency = premiumFrequency
        self.nextPaymentDue = nextPaymentDue
        self.balanceDue = balanceDue
        self.coverage = coverage
        self.deductible = deductible
        self.claims = claims
    }
}

/// A claim filed against a policy.
public struct Claim: Equatable, Sendable {
    public var claimNumber: String
    public var status: String
    public var filedOn: String
    public var amount: String?
    public var description: String?

    /// Creates a claim.
    public init(claimNumber: String, status: String, filedOn: String, amount: String?, description: String?) {
        self.claimNumber = claimNumber
        self.status = status
        self.filedOn = filedOn
        self.amount = amount
        self.description = description
    }
}
