public import Foundation

/// The verification API's rules (SPEC §8) on top of ``VerificationRules``, as pure decisions:
/// the same codes, HMACs, caps, failure counts and lockouts as the SMS conversation, with the
/// access key as the requester and the destination as the subject.
///
/// A destination given by policy number never shows in an answer: an unknown policy, a phone
/// on file over its hourly cap or opted out, all get a pending verification and no SMS, just
/// like a known one. Only a phone the caller gave may be refused for its own sake.
public struct APIVerificationRules: Sendable {
    public let rules: VerificationRules
    /// `api.allowedCountries`: where a phone the caller gives may be.
    public let allowedCountries: Set<String>
    /// `api.maxSendsPerHour`: codes the whole API may issue per rolling hour.
    public let maxCodesPerHour: Int

    /// Creates the rules.
    public init(rules: VerificationRules, allowedCountries: Set<String>, maxCodesPerHour: Int) {
        self.rules = rules
        self.allowedCountries = allowedCountries
        self.maxCodesPerHour = maxCodesPerHour
    }

    /// How long a caller is told to wait after an hourly cap: the most it can take to free up.
    public static let hourlyCapRetryAfter = 3600

    /// A verification was asked for `destination` by the key named `requester`.
    public func creationRequested(
        by requester: String, for destination: APIVerification.Destination, facts: VerificationFacts, now: Date,
        random: inout some RandomNumberGenerator
    ) -> VerificationDecision {
        if case .phone(let phone) = destination {
            guard let country = phone.country, allowedCountries.contains(country) else { return .refused(.countryNotAllowed) }
            guard !facts.isOptedOut else { return .refused(.optedOut) }
        }
        if let lockedUntil = facts.lockedUntil, lockedUntil > now {
            return .refused(.locked(retryAfter: Self.seconds(from: now, to: lockedUntil)))
        }
        guard facts.apiCodesLastHour < maxCodesPerHour else { return .refused(.sendBudgetExhausted(retryAfter: 60)) }
        let pending = facts.pending.flatMap { $0.status(at: now) == .pending ? $0 : nil }
        if let pending, case .cooldown(let seconds) = rules.resendRequested(of: pending.challenge, now: now) {
            return .refused(.cooldown(retryAfter: seconds))
        }
        if case .phone = destination, facts.codesToPhoneLastHour >= rules.settings.maxCodesPerHour {
            return .refused(.destinationLimit(retryAfter: Self.hourlyCapRetryAfter))
        }
        let binding = APIVerification.binding(requester: requester, destination: destination)
        let usage = CodeUsage(
            requestsForSubjectLastHour: facts.requestsLastHour, codesToDestinationLastHour: facts.codesToPhoneLastHour)
        let phone = facts.isOptedOut ? nil : facts.phone
        switch rules.codeRequested(
            for: binding, destinationKnown: phone != nil, lockedUntil: nil, usage: usage, now: now, random: &random)
        {
        case .locked(let until):
            return .refused(.locked(retryAfter: Self.seconds(from: now, to: until)))
        case .capReached:
            return .refused(.tooManyCodes(retryAfter: Self.hourlyCapRetryAfter))
        case .issue(let challenge, let code):
            var effects: [VerificationEffect] = []
            if let stale = facts.pending, pending == nil {
                // The pending one ran out: it stays readable as expired, and a new one begins.
                var expired = stale
                expired.status = .expired
                effects.append(.save(expired))
            }
            let verification = APIVerification(
                id: pending?.id ?? APIVerification.newID(using: &random), requester: requester, destination: destination,
                status: .pending, challenge: challenge,
                attemptsLeft: max(0, rules.settings.maxAttempts - facts.failedAttempts), createdAt: pending?.createdAt ?? now)
            effects.append(.save(verification))
            effects.append(.recordCodeIssued(destination: code == nil ? nil : phone))
            if let code, let phone {
                effects.append(.sendCode(code, to: phone, expiresAt: challenge.expiresAt))
                effects.append(.audit(.codeSent))
            } else {
                effects.append(.audit(.codeWithheld))
            }
            return .answered(verification, effects: effects)
        }
    }

    /// `code` was entered against `verification` (`nil`: none of this key's has the id).
    ///
    /// - Parameters:
    ///   - failedAttempts: the binding's wrong codes since its last success or lockout, across codes.
    ///   - earlierLockouts: when the binding's lockouts of the last 24 hours started.
    public func codeEntered(
        _ code: String, against verification: APIVerification?, failedAttempts: Int, earlierLockouts: [Date], now: Date
    ) -> VerificationDecision {
        guard var verification else { return .refused(.notFound) }
        guard verification.status(at: now) == .pending else { return .refused(.notPending) }
        switch rules.codeEntered(
            code, against: verification.challenge, for: verification.binding, failedAttempts: failedAttempts,
            earlierLockouts: earlierLockouts, now: now)
        {
        case .expired:
            return .refused(.notPending)
        case .approved:
            verification.status = .approved
            return .answered(verification, effects: [.save(verification), .clearFailedAttempts, .audit(.approved)])
        case .wrong(let attemptsLeft):
            verification.attemptsLeft = attemptsLeft
            return .answered(verification, effects: [.save(verification), .recordFailedAttempt, .audit(.failed(attemptsLeft: attemptsLeft))])
        case .lockedOut(let until):
            verification.status = .maxAttemptsReached
            verification.attemptsLeft = 0
            return .answered(
                verification,
                effects: [.save(verification), .clearFailedAttempts, .recordLockout(until: until), .voidQueuedCode, .audit(.maxAttempts)])
        }
    }

    /// The caller canceled `verification` (`nil`: none of this key's has the id).
    public func cancelRequested(_ verification: APIVerification?, now: Date) -> VerificationDecision {
        guard var verification else { return .refused(.notFound) }
        switch verification.status(at: now) {
        case .canceled:
            return .answered(verification, effects: [])
        case .pending:
            verification.status = .canceled
            return .answered(verification, effects: [.save(verification), .voidQueuedCode, .audit(.canceled)])
        case .approved, .maxAttemptsReached, .expired:
            return .refused(.notPending)
        }
    }

    private static func seconds(from now: Date, to end: Date) -> Int {
        max(1, Int(end.timeIntervalSince(now).rounded(.up)))
    }
}

/// What the store reads, in the request's transaction, before a verification is created.
public struct VerificationFacts: Equatable, Sendable {
    /// The key's verification of this destination still stored as pending (its code may have run out).
    public var pending: APIVerification?
    /// Where a code would go: the phone given, or the policy's phone on file (`nil`: no such policy).
    public var phone: PhoneNumber?
    /// Whether ``phone`` opted out (STOP).
    public var isOptedOut: Bool
    /// The end of the binding's latest lockout, if any.
    public var lockedUntil: Date?
    /// The binding's wrong codes since its last success or lockout.
    public var failedAttempts: Int
    /// Codes this key asked for this destination in the last hour, sent or not.
    public var requestsLastHour: Int
    /// Codes sent to ``phone`` in the last hour by anyone, the SMS conversation included.
    public var codesToPhoneLastHour: Int
    /// Codes the whole API issued in the last hour, sent or not.
    public var apiCodesLastHour: Int

    /// Creates facts.
    public init(
        pending: APIVerification? = nil, phone: PhoneNumber? = nil, isOptedOut: Bool = false, lockedUntil: Date? = nil,
        failedAttempts: Int = 0, requestsLastHour: Int = 0, codesToPhoneLastHour: Int = 0, apiCodesLastHour: Int = 0
    ) {
        self.pending = pending
        self.phone = phone
        self.isOptedOut = isOptedOut
        self.lockedUntil = lockedUntil
        self.failedAttempts = failedAttempts
        self.requestsLastHour = requestsLastHour
        self.codesToPhoneLastHour = codesToPhoneLastHour
        self.apiCodesLastHour = apiCodesLastHour
    }
}

/// The answer to a request about a verification.
public enum VerificationDecision: Equatable, Sendable {
    /// Nothing changes; the caller is told why.
    case refused(VerificationRefusal)
    /// The verification as it now is, and what to store (in order, in one transaction).
    case answered(APIVerification, effects: [VerificationEffect])
}

/// Why a request was refused; nothing changed.
public enum VerificationRefusal: Equatable, Sendable {
    case countryNotAllowed
    case optedOut
    case locked(retryAfter: Int)
    case cooldown(retryAfter: Int)
    /// This key asked this destination for too many codes in the last hour.
    case tooManyCodes(retryAfter: Int)
    /// The phone given received too many codes in the last hour (any channel).
    case destinationLimit(retryAfter: Int)
    /// `api.maxSendsPerHour` reached.
    case sendBudgetExhausted(retryAfter: Int)
    case notPending
    case notFound
}

/// Something to store with a verification, for its binding.
public enum VerificationEffect: Equatable, Sendable {
    /// Insert or update the verification.
    case save(APIVerification)
    /// Count a code towards the caps; `destination` is where it went (`nil`: nowhere).
    case recordCodeIssued(destination: PhoneNumber?)
    /// Queue the OTP SMS, dropping any earlier one of this verification still queued.
    case sendCode(String, to: PhoneNumber, expiresAt: Date)
    /// Drop the verification's code still queued, if any.
    case voidQueuedCode
    case recordFailedAttempt
    case clearFailedAttempts
    case recordLockout(until: Date)
    case audit(VerificationAuditEvent)
}

/// An audit event of the verification API, stored with the key's name and a masked number.
public enum VerificationAuditEvent: Equatable, Sendable {
    case codeSent
    /// A code was issued and not sent: no such policy, or a limit of its phone's.
    case codeWithheld
    case approved
    case failed(attemptsLeft: Int)
    case maxAttempts
    case canceled

    /// The event's name in the audit table.
    public var name: String {
        switch self {
        case .codeSent: "verification_created"
        case .codeWithheld: "verification_withheld"
        case .approved: "verification_approved"
        case .failed: "verification_failed"
        case .maxAttempts: "verification_max_attempts"
        case .canceled: "verification_canceled"
        }
    }
}

extension APIVerificationRules {
    /// Whether `code` could be a code at all (`otp.length` digits): anything else is refused
    /// as malformed before it can count as an attempt.
    public func isWellFormed(code: String) -> Bool {
        code.utf8.count == rules.settings.codeLength && code.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
