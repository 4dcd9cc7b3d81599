import Foundation
import SMSBotCore

/// Turns the engine's replies and codes into SMS text through the templates.
///
/// Free text from policy data is shortened so a policy answer stays within 4 segments
/// whatever was imported; everything else is sized by its template.
struct ReplyRenderer: Sendable {
    let templates: ReplyTemplates
    let businessName: String
    let helpContact: String
    let settings: EngineSettings

    /// The templates the app renders: one per reply, and the OTP SMS.
    static let templateNames = Set(Reply.allTemplateNames + [otpTemplate])
    static let otpTemplate = "otp_sms"
    /// Claims listed in one answer; more are summarised.
    static let claimsShown = 3

    func render(_ reply: Reply) -> String {
        var values = common
        switch reply {
        case .codeSent(let minutes, let firstContact):
            values["minutes"] = minutes
            values["firstContact"] = firstContact
        case .wrongCode(let attemptsLeft):
            values["attemptsLeft"] = attemptsLeft
            values["oneLeft"] = attemptsLeft == 1
        case .locked(let minutes):
            values["duration"] = minutes > 90 ? "\(Int((Double(minutes) / 60).rounded(.up))) hours" : "\(minutes) min"
        case .resendCooldown(let seconds):
            values["seconds"] = seconds
        case .menu(let policy, let justVerified, let understood):
            values.merge(Self.values(of: policy)) { $1 }
            values["justVerified"] = justVerified
            values["understood"] = understood
        case .answer(_, let policy, let justVerified):
            values.merge(Self.values(of: policy)) { $1 }
            values["justVerified"] = justVerified
        case .greeting, .askPolicyNumber, .codeReminder, .codeExpired, .tooManyCodes, .noCodePending, .sessionExpired,
            .help, .loggedOut, .mediaNotSupported:
            break
        }
        return templates.render(reply.templateName, values)
    }

    /// The OTP SMS: business, code, lifetime, and that staff never ask for it.
    func otpSMS(code: String) -> String {
        var values = common
        values["code"] = code
        values["minutes"] = Int((settings.codeLifetime / 60).rounded(.up))
        return templates.render(Self.otpTemplate, values)
    }

    private var common: [String: Any] {
        [
            "businessName": businessName, "helpContact": helpContact, "codeLength": settings.codeLength,
            "minutes": Int((settings.codeLifetime / 60).rounded(.up)),
            "idleMinutes": Int((settings.sessionIdleTimeout / 60).rounded(.up)),
        ]
    }

    private static func values(of policy: Policy) -> [String: Any] {
        var values: [String: Any] = [
            "policyNumber": policy.displayNumber.clipped(to: 24), "holderName": policy.holderName.clipped(to: 40),
            "product": policy.product.clipped(to: 24), "status": policy.status.clipped(to: 20),
            "effectiveDate": policy.effectiveDate, "expiryDate": policy.expiryDate, "premium": policy.premium,
            "currency": policy.currency, "premiumFrequency": policy.premiumFrequency.clipped(to: 16),
            "balanceDue": policy.balanceDue, "coverage": policy.coverage.clipped(to: 200),
            "claims": policy.claims.prefix(claimsShown).map { claim -> [String: Any] in
                var entry: [String: Any] = [
                    "claimNumber": claim.claimNumber.clipped(to: 16), "status": claim.status.clipped(to: 16),
                    "filedOn": claim.filedOn,
                ]
                if let amount = claim.amount { entry["amount"] = amount }
                if let description = claim.description, !description.isEmpty { entry["description"] = description.clipped(to: 30) }
                return entry
            },
        ]
        if let due = policy.nextPaymentDue { values["nextPaymentDue"] = due }
        if let deductible = policy.deductible { values["deductible"] = deductible }
        if policy.claims.count > claimsShown { values["moreClaims"] = policy.claims.count - claimsShown }
        return values
    }
}

extension Reply {
    /// Every template name a reply can use.
    static var allTemplateNames: [String] {
        let policy = Policy(
            number: PolicyNumber("X0000")!, displayNumber: "", holderName: "", phone: PhoneNumber(e164: "+10000000000")!,
            product: "", status: "", effectiveDate: "", expiryDate: "", premium: "", currency: "", premiumFrequency: "",
            nextPaymentDue: nil, balanceDue: "", coverage: "", deductible: nil, claims: [])
        let replies: [Reply] =
            [
                .greeting, .askPolicyNumber, .codeSent(minutes: 0, firstContact: false), .codeReminder, .wrongCode(attemptsLeft: 0),
                .codeExpired, .locked(minutes: 0), .resendCooldown(seconds: 0), .tooManyCodes, .noCodePending,
                .menu(policy, justVerified: false, understood: false), .sessionExpired, .help, .loggedOut, .mediaNotSupported,
            ] + PolicyQuestion.allCases.map { .answer($0, policy, justVerified: false) }
        return replies.map(\.templateName)
    }
}

extension String {
    /// The text cut to at most `limit` characters, ending in `...` when cut.
    func clipped(to limit: Int) -> String {
        count <= limit ? self : prefix(limit - 3) + "..."
    }
}
