import Foundation
import SMSBotCore

/// Turns the engine's replies and codes into SMS text through the templates.
///
/// Every reply fits its segment budget (SPEC §4) whatever was imported: free text from policy
/// data is clipped, more tightly if the first rendering is still too long (say, because a
/// name forces UCS-2), and as a last resort the text itself is cut.
struct ReplyRenderer: Sendable {
    let templates: ReplyTemplates
    let settings: EngineSettings
    /// The values every template may use, built once.
    private let common: [String: any Sendable]

    init(templates: ReplyTemplates, businessName: String, helpContact: String, settings: EngineSettings) {
        self.templates = templates
        self.settings = settings
        self.common = [
            "businessName": businessName, "helpContact": helpContact, "codeLength": settings.verification.codeLength,
            "minutes": settings.verification.codeLifetimeMinutes,
            "idleMinutes": Int((settings.sessionIdleTimeout / 60).rounded(.up)),
        ]
    }

    /// The templates the app renders: one per reply, the OTP SMS, and the operator's SMS.
    static let templateNames = Set(Reply.allTemplateNames + [otpTemplate, welcomeTemplate, phoneChangedTemplate])
    static let otpTemplate = "otp_sms"
    static let welcomeTemplate = "welcome_sms"
    static let phoneChangedTemplate = "phone_changed_notice"

    func render(_ reply: Reply) -> String {
        if case .policyList(let policies, let justVerified, let understood) = reply {
            return renderList(of: policies, justVerified: justVerified, understood: understood)
        }
        let limit = reply.maxSegments
        let text = render(reply, clip: .normal)
        guard SMSSegments(text).count > limit else { return text }
        return render(reply, clip: .tight).fitted(toSegments: limit)
    }

    private func render(_ reply: Reply, clip: ClipLevel) -> String {
        var values: [String: Any] = common
        switch reply {
        case .codeSent(let minutes, let firstContact), .forgotCodeSent(let minutes, let firstContact):
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
            values.merge(Self.values(of: policy, clip: clip)) { $1 }
            values["justVerified"] = justVerified
            values["understood"] = understood
        case .answer(_, let policy, let justVerified):
            values.merge(Self.values(of: policy, clip: clip)) { $1 }
            values["justVerified"] = justVerified
        case .policyList:
            break  // renderList(of:justVerified:understood:)
        case .greeting, .askPolicyNumber, .codeReminder, .codeNotDelivered, .codeExpired, .tooManyCodes, .noCodePending, .sessionExpired,
            .help, .loggedOut, .mediaNotSupported:
            break
        }
        return templates.render(reply.templateName, values)
    }

    /// The lettered list of a texter verified by phone: as many policies (number and product) as
    /// fit two segments, letters `A` to `Z` at most, and how the rest are reached (by number).
    private func renderList(of policies: [Policy], justVerified: Bool, understood: Bool) -> String {
        var values: [String: Any] = common
        values["justVerified"] = justVerified
        values["understood"] = understood
        var text = ""
        for shown in stride(from: min(policies.count, Self.listLetters.count), through: 1, by: -1) {
            values["policies"] = zip(Self.listLetters, policies.prefix(shown)).map { letter, policy in
                ["letter": String(letter), "policyNumber": policy.displayNumber.clipped(to: 24), "product": policy.product.clipped(to: 16)]
            }
            values["more"] = policies.count > shown ? policies.count - shown : nil
            text = templates.render(Reply.policyList([], justVerified: false, understood: true).templateName, values)
            if SMSSegments(text).count <= 2 { return text }
        }
        return text.fitted(toSegments: 2)
    }

    /// The letters a list can use, in order.
    static let listLetters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// The OTP SMS: business, code, lifetime, and that staff never ask for it.
    func otpSMS(code: String) -> String {
        var values: [String: Any] = common
        values["code"] = code
        return templates.render(Self.otpTemplate, values).fitted(toSegments: 1)
    }

    /// The SMS a newly registered phone on file gets (SPEC §9): business, policy number and
    /// product, what to text, HELP and STOP; nothing confidential; at most two segments (the
    /// product is clipped if a long one would need more).
    func welcomeSMS(for policy: Policy) -> String {
        var values: [String: Any] = common
        values["policyNumber"] = policy.displayNumber
        var text = ""
        for productLimit in [40, 20] {
            values["product"] = policy.product.clipped(to: productLimit)
            text = templates.render(Self.welcomeTemplate, values)
            if SMSSegments(text).count <= 2 { break }
        }
        return text.fitted(toSegments: 2)
    }

    /// The notice to a phone replaced on a policy: no new number, the help contact.
    func phoneChangedNotice(for policy: Policy) -> String {
        var values: [String: Any] = common
        values["policyNumber"] = policy.displayNumber
        return templates.render(Self.phoneChangedTemplate, values).fitted(toSegments: 2)
    }

    /// How hard free text from policy data is clipped.
    private enum ClipLevel {
        case normal
        case tight

        var claimsShown: Int { self == .normal ? 3 : 2 }
        var coverage: Int { self == .normal ? 200 : 90 }
        var description: Int { self == .normal ? 30 : 0 }
        var name: Int { self == .normal ? 40 : 20 }
    }

    private static func values(of policy: Policy, clip: ClipLevel) -> [String: Any] {
        var values: [String: Any] = [
            "policyNumber": policy.displayNumber.clipped(to: 24), "holderName": policy.holderName.clipped(to: clip.name),
            "product": policy.product.clipped(to: 24), "status": policy.status.clipped(to: 20),
            "effectiveDate": policy.effectiveDate, "expiryDate": policy.expiryDate, "premium": policy.premium.clipped(to: 16),
            "currency": policy.currency.clipped(to: 3), "premiumFrequency": policy.premiumFrequency.clipped(to: 16),
            "balanceDue": policy.balanceDue.clipped(to: 16), "coverage": policy.coverage.clipped(to: clip.coverage),
            "claims": policy.claims.prefix(clip.claimsShown).map { claim -> [String: Any] in
                var entry: [String: Any] = [
                    "claimNumber": claim.claimNumber.clipped(to: 16), "status": claim.status.clipped(to: 16),
                    "filedOn": claim.filedOn,
                ]
                if let amount = claim.amount { entry["amount"] = amount.clipped(to: 16) }
                if let description = claim.description, !description.isEmpty, clip.description > 0 {
                    entry["description"] = description.clipped(to: clip.description)
                }
                return entry
            },
        ]
        if let due = policy.nextPaymentDue { values["nextPaymentDue"] = due }
        if let deductible = policy.deductible { values["deductible"] = deductible.clipped(to: 16) }
        if policy.claims.count > clip.claimsShown { values["moreClaims"] = policy.claims.count - clip.claimsShown }
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
                .greeting, .askPolicyNumber, .codeSent(minutes: 0, firstContact: false), .forgotCodeSent(minutes: 0, firstContact: false),
                .policyList([], justVerified: false, understood: false), .codeReminder, .codeNotDelivered,
                .wrongCode(attemptsLeft: 0),
                .codeExpired, .locked(minutes: 0), .resendCooldown(seconds: 0), .tooManyCodes, .noCodePending,
                .menu(policy, justVerified: false, understood: false), .sessionExpired, .help, .loggedOut, .mediaNotSupported,
            ] + PolicyQuestion.allCases.map { .answer($0, policy, justVerified: false) }
        return replies.map(\.templateName)
    }
}

extension Reply {
    /// The most segments this reply may take (SPEC §4): 4 for policy answers, 1 for HELP, else 2.
    var maxSegments: Int {
        switch self {
        case .answer: 4
        case .help: 1
        default: 2
        }
    }
}

extension String {
    /// The text cut to at most `limit` characters, ending in `...` when cut.
    func clipped(to limit: Int) -> String {
        // No more UTF-8 bytes than the limit means no more characters: skips counting graphemes.
        utf8.count <= limit || count <= limit ? self : prefix(limit - 3) + "..."
    }

    /// The text, cut with `...` if needed so it takes at most `segments` SMS segments.
    func fitted(toSegments segments: Int) -> String {
        guard SMSSegments(self).count > segments else { return self }
        var text = Substring(self)
        while !text.isEmpty, SMSSegments(text + "...").count > segments {
            text = text.dropLast(max(1, (SMSSegments(String(text)).units - segments * 60) / 4))
        }
        return text + "..."
    }
}
