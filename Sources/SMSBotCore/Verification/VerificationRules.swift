public import Foundation

/// The OTP rules of SPEC §4 as pure decisions: issuing a code, resending it, checking it,
/// counting failures, lockouts and their escalation, the cooldown and the caps.
///
/// Events in, decisions out: no I/O, no clock and no randomness of its own. The caller reads
/// the facts (lockouts, failures, codes asked for, the pending code) from its store, applies a
/// decision and stores the outcome. The SMS conversation uses it, and so can any channel
/// without one.
///
/// Nothing a requester sees may tell whether a destination exists (a policy number that
/// matches none): an unknown destination gets the same decisions, down to a pending "code" of
/// random bytes no code can match, and the limits that depend on the destination (its hourly
/// cap, the requester's daily spread over subjects) hold the code back silently, exactly as if
/// the destination were unknown. Only the requester's own requests, counted the same way for
/// every subject, may be refused out loud.
public struct VerificationRules: Sendable {
    public let settings: VerificationSettings
    public let hasher: CodeHasher

    /// Creates the rules for `settings`, hashing codes with `hasher`.
    public init(settings: VerificationSettings, hasher: CodeHasher) {
        self.settings = settings
        self.hasher = hasher
    }

    /// A new code was asked for `binding`.
    ///
    /// - Parameters:
    ///   - destinationKnown: whether there is a phone to send it to.
    ///   - lockedUntil: the end of the binding's lockout, if one is recorded.
    ///   - usage: what the requester and the destination asked for and received lately.
    public func codeRequested(
        for binding: CodeBinding,
        destinationKnown: Bool,
        lockedUntil: Date?,
        usage: CodeUsage,
        now: Date,
        random: inout some RandomNumberGenerator
    ) -> CodeRequestDecision {
        if let lockedUntil, lockedUntil > now {
            return .locked(until: lockedUntil)
        }
        guard usage.requestsForSubjectLastHour < settings.maxCodesPerHour else { return .capReached }
        let withinSpread =
            usage.subjectsRequestedToday.contains(binding.subject) || usage.subjectsRequestedToday.count < settings.maxSubjectsPerDay
        let sends = destinationKnown && withinSpread && usage.codesToDestinationLastHour < settings.maxCodesPerHour
        let code = String((0..<settings.codeLength).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
        // The HMAC is computed either way, so a code held back costs the same time as one sent.
        let hash = hasher.hash(code, for: binding)
        let challenge = CodeChallenge(
            codeHash: sends ? hash : Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }),
            issuedAt: now, expiresAt: now.addingTimeInterval(settings.codeLifetime))
        return .issue(challenge, code: sends ? code : nil)
    }

    /// The requester asked to have the pending `challenge` sent again.
    public func resendRequested(of challenge: CodeChallenge, now: Date) -> ResendDecision {
        let readyAt = challenge.issuedAt.addingTimeInterval(settings.resendCooldown)
        guard now >= readyAt else { return .cooldown(seconds: Int(readyAt.timeIntervalSince(now).rounded(.up))) }
        return .allowed
    }

    /// `code` was entered against `challenge`.
    ///
    /// - Parameters:
    ///   - failedAttempts: the binding's wrong codes since its last success, lockout or unlock,
    ///     whatever code they were entered against (failures are counted per subscriber, not
    ///     per code: NIST SP 800-63B §5.2.2).
    ///   - earlierLockouts: when the binding's earlier lockouts started; the lockout that makes
    ///     ``VerificationSettings/lockoutsBeforeEscalation`` within 24 hours lasts a day.
    public func codeEntered(
        _ code: String, against challenge: CodeChallenge, for binding: CodeBinding, failedAttempts: Int,
        earlierLockouts: [Date], now: Date
    ) -> CodeCheckDecision {
        guard now < challenge.expiresAt else { return .expired }
        if hasher.matches(code, hash: challenge.codeHash, for: binding) {
            return .approved
        }
        let attemptsLeft = settings.maxAttempts - (failedAttempts + 1)
        guard attemptsLeft <= 0 else { return .wrong(attemptsLeft: attemptsLeft) }
        let lastDay = earlierLockouts.filter { now.timeIntervalSince($0) < Self.escalationWindow }.count
        let duration = lastDay + 1 >= settings.lockoutsBeforeEscalation ? settings.escalatedLockoutDuration : settings.lockoutDuration
        return .lockedOut(until: now.addingTimeInterval(duration))
    }
}

extension VerificationRules {
    /// How far back lockouts count towards the escalated lockout.
    public static let escalationWindow: TimeInterval = 24 * 3600
}

/// What a requester and a destination asked for and received lately: the facts the caps need.
public struct CodeUsage: Equatable, Sendable {
    /// Codes the requester asked for this subject in the last hour, sent or not, whether or
    /// not the subject exists.
    public var requestsForSubjectLastHour: Int
    /// Codes sent to the destination in the last hour, whoever asked (0 for an unknown one).
    public var codesToDestinationLastHour: Int
    /// The subjects the requester asked codes for in the last 24 hours.
    public var subjectsRequestedToday: Set<String>

    /// Creates usage facts.
    public init(requestsForSubjectLastHour: Int = 0, codesToDestinationLastHour: Int = 0, subjectsRequestedToday: Set<String> = []) {
        self.requestsForSubjectLastHour = requestsForSubjectLastHour
        self.codesToDestinationLastHour = codesToDestinationLastHour
        self.subjectsRequestedToday = subjectsRequestedToday
    }
}

/// A code issued and not yet used. Only its HMAC is kept; wrong attempts are counted per
/// binding, outside it.
public struct CodeChallenge: Equatable, Sendable {
    /// HMAC-SHA256 of the code bound to its ``CodeBinding``; random bytes when nothing was sent.
    public var codeHash: Data
    public var issuedAt: Date
    public var expiresAt: Date

    /// Creates a challenge.
    public init(codeHash: Data, issuedAt: Date, expiresAt: Date) {
        self.codeHash = codeHash
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}

/// What to do about a request for a code.
public enum CodeRequestDecision: Equatable, Sendable {
    /// The binding is locked out: no code.
    case locked(until: Date)
    /// The requester asked for this subject too often: no code, and the requester may be told.
    case capReached
    /// Issue `challenge`, voiding any earlier one, and send `code`; `nil` when nothing is sent
    /// (no destination, or a limit of the destination's): the requester must not be told.
    case issue(CodeChallenge, code: String?)
}

/// What to do about a request to resend a pending code.
public enum ResendDecision: Equatable, Sendable {
    /// Too soon: the requester may ask again in `seconds`.
    case cooldown(seconds: Int)
    /// Ask for a new code (``VerificationRules/codeRequested(for:destinationKnown:lockedUntil:usage:now:random:)``).
    case allowed
}

/// The outcome of a code entered.
public enum CodeCheckDecision: Equatable, Sendable {
    /// The code's lifetime is over; it is not checked and counts as no attempt.
    case expired
    /// The right code: the requester holds the destination; the binding's failures reset.
    case approved
    /// A wrong code, counted for the binding.
    case wrong(attemptsLeft: Int)
    /// The last allowed wrong code: the challenge is void, the binding locked until `until`
    /// and its failures reset.
    case lockedOut(until: Date)
}
