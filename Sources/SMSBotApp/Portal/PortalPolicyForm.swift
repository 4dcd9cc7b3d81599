import SMSBotCore

/// The register and edit form: every SPEC §6 field but claims, with labels, the values typed
/// and each field's error.
struct PortalPolicyForm {
    /// A field: its name (as in §6), its label, and whether it may be left empty.
    static let fields: [(name: String, label: String, optional: Bool)] = [
        ("policyNumber", "Policy number", false), ("holderName", "Holder name", false), ("phone", "Phone on file", false),
        ("product", "Product", false), ("status", "Status", false), ("effectiveDate", "Effective date (YYYY-MM-DD)", false),
        ("expiryDate", "Expiry date (YYYY-MM-DD)", false), ("premium", "Premium", false), ("currency", "Currency (e.g. USD)", false),
        ("premiumFrequency", "Premium frequency", false), ("nextPaymentDue", "Next payment due (YYYY-MM-DD)", true),
        ("balanceDue", "Balance due", true), ("coverage", "Coverage", false), ("deductible", "Deductible", true),
    ]

    var values: [String: String]
    var errors: [String: String] = [:]

    /// The form filled from a posted one.
    init(posted: [String: String]) {
        values = Dictionary(uniqueKeysWithValues: Self.fields.map { ($0.name, posted[$0.name] ?? "") })
    }

    /// The form filled with `policy`, to edit it (its claims are kept as they are).
    init(policy: Policy) {
        values = [
            "policyNumber": policy.displayNumber, "holderName": policy.holderName, "phone": policy.phone.e164, "product": policy.product,
            "status": policy.status, "effectiveDate": policy.effectiveDate, "expiryDate": policy.expiryDate, "premium": policy.premium,
            "currency": policy.currency, "premiumFrequency": policy.premiumFrequency, "nextPaymentDue": policy.nextPaymentDue ?? "",
            "balanceDue": policy.balanceDue, "coverage": policy.coverage, "deductible": policy.deductible ?? "",
        ]
    }

    /// The policy the form describes (with `claims`), or the form with an error per bad field.
    mutating func validated(claims: [Claim], defaultRegion: String) -> Policy? {
        let record = PolicyRecord(line: 0, fields: values.filter { !$0.value.isEmpty }, claims: [])
        switch record.validated(defaultRegion: defaultRegion) {
        case .success(var policy):
            policy.claims = claims
            return policy
        case .failure(let problems):
            errors = problems.byField
            return nil
        }
    }

    /// The values the template renders, field by field.
    func rendered(policyNumberReadonly: Bool) -> [[String: Any]] {
        Self.fields.map { field in
            var entry: [String: Any] = [
                "name": field.name, "label": field.label, "value": values[field.name] ?? "", "optional": field.optional,
                "readonly": policyNumberReadonly && field.name == "policyNumber",
            ]
            if let error = errors[field.name] { entry["error"] = error }
            return entry
        }
    }
}
