/// The keywords of SPEC §4, matched case-insensitively on the whole trimmed message.
public enum Keyword: Equatable, Sendable {
    case help
    case stop
    case start
    case logout
    case menu
    case resend
    /// No policy number at hand: a code to the texting number, if it is on file (SPEC §4 step 2b).
    case forgot

    /// The keyword `text` is, if it is one.
    public init?(_ text: String) {
        switch text.trimming(\.isWhitespace).uppercased() {
        case "HELP", "INFO": self = .help
        case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE": self = .stop
        case "START", "UNSTOP", "YES": self = .start
        case "LOGOUT", "BYE": self = .logout
        case "MENU": self = .menu
        case "RESEND": self = .resend
        case "FORGOT": self = .forgot
        default: return nil
        }
    }
}

extension PolicyQuestion {
    /// The questions `text` asks, in menu order: a menu digit alone, or the words
    /// STATUS, PREMIUM/PAYMENT, COVERAGE, CLAIMS anywhere in it.
    public static func asked(in text: String) -> [PolicyQuestion] {
        switch text.trimming(\.isWhitespace) {
        case "1": return [.status]
        case "2": return [.premium]
        case "3": return [.coverage]
        case "4": return [.claims]
        default: break
        }
        let words = Set(text.uppercased().split { !$0.isLetter }.map(String.init))
        return allCases.filter { !words.isDisjoint(with: $0.words) }
    }

    private var words: Set<String> {
        switch self {
        case .status: ["STATUS"]
        case .premium: ["PREMIUM", "PAYMENT", "PAYMENTS"]
        case .coverage: ["COVERAGE"]
        case .claims: ["CLAIMS", "CLAIM"]
        }
    }
}
