public import Foundation

/// Everything the engine needs besides the state and the message, read from the store in the
/// message's transaction.
public struct MessageContext: Equatable, Sendable {
    /// Whether the number has opted out (STOP) and not back in.
    public var isOptedOut: Bool
    /// The policies the message or the state refers to that exist, by number. A number that is
    /// absent here does not exist: the engine answers the same way regardless.
    public var policies: [PolicyNumber: Policy]
    /// This number's lockouts of the last 24 hours, any policy.
    public var lockouts: [Lockout]
    /// This number's wrong codes per policy since its last success, lockout or unlock (absent: none).
    public var failedAttempts: [PolicyNumber: Int]
    /// Codes this number asked for in the last hour, per policy, sent or not.
    public var codesRequestedLastHour: [PolicyNumber: Int]
    /// Codes sent in the last hour to each known policy's phone on file, whoever asked.
    public var codesToPhoneOnFileLastHour: [PolicyNumber: Int]
    /// The policies this number asked codes for in the last 24 hours.
    public var policiesRequestedToday: Set<PolicyNumber>
    /// Whether a code sent to this very number was reported undelivered or failed, and the
    /// customer has not been told yet.
    public var codeDeliveryFailed: Bool

    /// Creates a context.
    public init(
        isOptedOut: Bool = false, policies: [PolicyNumber: Policy] = [:], lockouts: [Lockout] = [],
        failedAttempts: [PolicyNumber: Int] = [:], codesRequestedLastHour: [PolicyNumber: Int] = [:],
        codesToPhoneOnFileLastHour: [PolicyNumber: Int] = [:], policiesRequestedToday: Set<PolicyNumber> = [],
        codeDeliveryFailed: Bool = false
    ) {
        self.isOptedOut = isOptedOut
        self.policies = policies
        self.lockouts = lockouts
        self.failedAttempts = failedAttempts
        self.codesRequestedLastHour = codesRequestedLastHour
        self.codesToPhoneOnFileLastHour = codesToPhoneOnFileLastHour
        self.policiesRequestedToday = policiesRequestedToday
        self.codeDeliveryFailed = codeDeliveryFailed
    }
}

/// A policy locked for one number after too many wrong codes.
public struct Lockout: Equatable, Sendable {
    public var policy: PolicyNumber
    public var lockedAt: Date
    public var until: Date

    /// Creates a lockout.
    public init(policy: PolicyNumber, lockedAt: Date, until: Date) {
        self.policy = policy
        self.lockedAt = lockedAt
        self.until = until
    }
}
