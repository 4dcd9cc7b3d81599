public import Foundation

/// Everything the engine needs besides the state and the message, read from the store in the
/// message's transaction.
public struct MessageContext: Equatable, Sendable {
    /// Whether the number has opted out (STOP) and not back in.
    public var isOptedOut: Bool
    /// The policies the message or the state refers to that exist, by number; and when either
    /// is about the texting number itself (`FORGOT`, its pending code, a session verified by
    /// phone), every policy on file for it (whose ``Policy/phone`` is it). A number that is
    /// absent here does not exist: the engine answers the same way regardless.
    public var policies: [PolicyNumber: Policy]
    /// This number's lockouts of the last 24 hours, any subject.
    public var lockouts: [Lockout]
    /// This number's wrong codes per subject since its last success, lockout or unlock (absent: none).
    public var failedAttempts: [CodeSubject: Int]
    /// Codes this number asked for in the last hour, per subject, sent or not.
    public var codesRequestedLastHour: [CodeSubject: Int]
    /// Codes sent in the last hour to each subject's phone (a known policy's phone on file, or
    /// the texting number for ``CodeSubject/phoneOnFile(_:)``), whoever asked.
    public var codesToDestinationLastHour: [CodeSubject: Int]
    /// The subjects this number asked codes for in the last 24 hours.
    public var subjectsRequestedToday: Set<CodeSubject>
    /// Whether a code sent to this very number was reported undelivered or failed, and the
    /// customer has not been told yet.
    public var codeDeliveryFailed: Bool

    /// The policies on file for `phone`, in the order they are listed (by display number):
    /// all of them when the message or the state is about the number itself (see ``policies``).
    public func policiesOnFile(for phone: PhoneNumber) -> [Policy] {
        policies.values.filter { $0.phone == phone }.sorted { ($0.displayNumber, $0.number.canonical) < ($1.displayNumber, $1.number.canonical) }
    }

    /// Creates a context.
    public init(
        isOptedOut: Bool = false, policies: [PolicyNumber: Policy] = [:], lockouts: [Lockout] = [],
        failedAttempts: [CodeSubject: Int] = [:], codesRequestedLastHour: [CodeSubject: Int] = [:],
        codesToDestinationLastHour: [CodeSubject: Int] = [:], subjectsRequestedToday: Set<CodeSubject> = [],
        codeDeliveryFailed: Bool = false
    ) {
        self.isOptedOut = isOptedOut
        self.policies = policies
        self.lockouts = lockouts
        self.failedAttempts = failedAttempts
        self.codesRequestedLastHour = codesRequestedLastHour
        self.codesToDestinationLastHour = codesToDestinationLastHour
        self.subjectsRequestedToday = subjectsRequestedToday
        self.codeDeliveryFailed = codeDeliveryFailed
    }
}

/// A subject locked for one number after too many wrong codes.
public struct Lockout: Equatable, Sendable {
    public var subject: CodeSubject
    public var lockedAt: Date
    public var until: Date

    /// Creates a lockout.
    public init(subject: CodeSubject, lockedAt: Date, until: Date) {
        self.subject = subject
        self.lockedAt = lockedAt
        self.until = until
    }
}
