public import Foundation

/// The OTP rules of SPEC §4 as pure decisions: issuing a code, resending it, checking it,
/// counting failures, lockouts and their escalation, the cooldown and the hourly cap.
///
/// Events in, decisions out: no I/O, no clock and no randomness of its own. The caller reads
/// the facts (lockouts, codes issued, the pending code) from its store, applies a decision and
/// stores the outcome. The SMS conversation uses it, and so can any channel without one.
///
/// A destination that is unknown (a policy that does not exist) is handled exactly like a
/// known one, down to a pending "code" of random bytes no code can match, so no decision tells
/// whether it exists.
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
    ///   - destinationKnown: whether there is a phone to send it to; when not, nothing is sent
    ///     but the decision is otherwise the same.
    ///   - lockedUntil: the end of the binding's lockout, if one is recorded.
    ///   - codesIssuedLastHour: codes counted against this request's hourly cap.
    public func codeRequested(
        for binding: CodeBinding,
        destinationKnown: Bool,
        lockedUntil: Date?,
        codesIssuedLastHour: Int,
        now: Date,
        random: inout some RandomNumberGenerator
    ) -> CodeRequestDecision {
        if let lockedUntil, lockedUntil > now {
            return .locked(until: lockedUntil)
        }
        guard codesIssuedLastHour < settings.maxCodesPerHour else { return .capReached }
        let code = String((0..<settings.codeLength).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
        let challenge = CodeChallenge(
            codeHash: destinationKnown
                ? hasher.hash(code, for: binding) : Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }),
            issuedAt: now, expiresAt: now.addingTimeInterval(settings.codeLifetime), attempts: 0)
        return .issue(challenge, code: destinationKnown ? code : nil)
    }

    /// The requester asked to have the pending `challenge` sent again.
    public func resendRequested(of challenge: CodeChallenge, now: Date) -> ResendDecision {
        let readyAt = challenge.issuedAt.addingTimeInterval(settings.resendCooldown)
        guard now >= readyAt else { return .cooldown(seconds: Int(readyAt.timeIntervalSince(now).rounded(.up))) }
        return .allowed
    }

    /// `code` was entered against `challenge`.
    ///
    /// - Parameter earlierLockouts: when the binding's earlier lockouts started; the lockout
    ///   that makes ``VerificationSettings/lockoutsBeforeEscalation`` within 24 hours lasts a day.
    public func codeEntered(
        _ code: String, against challenge: CodeChallenge, for binding: CodeBinding, earlierLockouts: [Date], now: Date
    ) -> CodeCheckDecision {
        guard now < challenge.expiresAt else { return .expired }
        if hasher.matches(code, hash: challenge.codeHash, for: binding) {
            return .approved
        }
        var challenge = challenge
        challenge.attempts += 1
        let attemptsLeft = settings.maxAttempts - challenge.attempts
        guard attemptsLeft <= 0 else { return .wrong(challenge, attemptsLeft: attemptsLeft) }
        let lastDay = earlierLockouts.filter { now.timeIntervalSince($0) < Self.escalationWindow }.count
        let duration = lastDay + 1 >= settings.lockoutsBeforeEscalation ? settings.escalatedLockoutDuration : settings.lockoutDuration
        return .lockedOut(until: now.addingTimeInterval(duration))
    }
}

extension VerificationRules {
    /// How far back lockouts count towards the escalated lockout.
    public static let escalationWindow: TimeInterval = 24 * 3600
}

/// A code issued and not yet used. Only its HMAC is kept.
public struct CodeChallenge: Equatable, Sendable {
    /// HMAC-SHA256 of the code bound to its ``CodeBinding``; random bytes for an unknown destination.
    public var codeHash: Data
    public var issuedAt: Date
    public var expiresAt: Date
    /// Wrong attempts so far.
    public var attempts: Int

    /// Creates a challenge.
    public init(codeHash: Data, issuedAt: Date, expiresAt: Date, attempts: Int) {
        self.codeHash = codeHash
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.attempts = attempts
    }
}

/// What to do about a request for a code.
public enum CodeRequestDecision: Equatable, Sendable {
    /// The binding is locked out: no code.
    case locked(until: Date)
    /// The hourly cap is reached: no code.
    case capReached
    /// Issue `challenge`, voiding any earlier one, and send `code`; `nil` when there is no
    /// destination to send it to (the challenge can then never be met).
    case issue(CodeChallenge, code: String?)
}

/// What to do about a request to resend a pending code.
public enum ResendDecision: Equatable, Sendable {
    /// Too soon: the requester may ask again in `seconds`.
    case cooldown(seconds: Int)
    /// Ask for a new code (``VerificationRules/codeRequested(for:destinationKnown:lockedUntil:codesIssuedLastHour:now:random:)``).
    case allowed
}

/// The outcome of a code entered.
public enum CodeCheckDecision: Equatable, Sendable {
    /// The code's lifetime is over; it is not checked.
    case expired
    /// The right code: the requester holds the destination.
    case approved
    /// A wrong code; `challenge` counts it.
    case wrong(CodeChallenge, attemptsLeft: Int)
    /// The last allowed wrong code: the challenge is void and the binding locked until `until`.
    case lockedOut(until: Date)
}
