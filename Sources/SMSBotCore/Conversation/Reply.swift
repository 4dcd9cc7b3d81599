/// A reply to the texter, named by what it says. The app renders each from the template of
/// the same name (`Templates/<name>.mustache`).
public enum Reply: Equatable, Sendable {
    /// First contact: names the business, asks for the policy number, mentions HELP and STOP.
    case greeting
    case askPolicyNumber
    /// The same whether or not the policy exists: a code went to the phone on file, if any.
    case codeSent(minutes: Int, firstContact: Bool)
    /// `FORGOT`: the same whether or not the texting number is on file: a code went to it if it is.
    case forgotCodeSent(minutes: Int, firstContact: Bool)
    /// Verified by phone with several policies: pick one by letter or by number. `policies`
    /// are all of them in letter order; the renderer lists as many as fit and says how the
    /// rest are reached.
    case policyList([Policy], justVerified: Bool, understood: Bool)
    /// A code is pending and the message was not one.
    case codeReminder
    /// The code SMS could not be delivered to the phone on file; RESEND is offered.
    case codeNotDelivered
    case wrongCode(attemptsLeft: Int)
    case codeExpired
    case locked(minutes: Int)
    case resendCooldown(seconds: Int)
    case tooManyCodes
    case noCodePending
    case menu(Policy, justVerified: Bool, understood: Bool)
    case answer(PolicyQuestion, Policy, justVerified: Bool)
    case sessionExpired
    case help
    case loggedOut
    case mediaNotSupported

    /// The template this reply is rendered from.
    public var templateName: String {
        switch self {
        case .greeting: "greeting"
        case .askPolicyNumber: "ask_policy_number"
        case .codeSent: "code_sent"
        case .forgotCodeSent: "forgot_code_sent"
        case .policyList: "policy_list"
        case .codeReminder: "code_reminder"
        case .codeNotDelivered: "code_not_delivered"
        case .wrongCode: "wrong_code"
        case .codeExpired: "code_expired"
        case .locked: "locked"
        case .resendCooldown: "resend_cooldown"
        case .tooManyCodes: "too_many_codes"
        case .noCodePending: "no_code_pending"
        case .menu: "menu"
        case .answer(let question, _, _): question.rawValue
        case .sessionExpired: "session_expired"
        case .help: "help"
        case .loggedOut: "logged_out"
        case .mediaNotSupported: "media_not_supported"
        }
    }

    /// Whether the reply reveals anything of a policy beyond its existence.
    public var isConfidential: Bool {
        switch self {
        case .menu, .answer, .policyList: true
        default: false
        }
    }
}
