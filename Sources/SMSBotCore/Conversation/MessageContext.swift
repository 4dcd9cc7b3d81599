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
    /// Codes issued in the last hour, per policy: to the policy's phone on file for a known
    /// policy (whoever asked), to this requester for an unknown one.
    public var codesIssuedLastHour: [PolicyNumber: Int]
    /// Whether a code sent for this conversation was reported undelivered or failed, and the
    /// customer has not been told yet.
    public var codeDeliveryFailed: Bool

    /// Creates a context.
    public init(
        isOptedOut: Bool = false, policies: [PolicyNumber: Policy] = [:], lockouts: [Lockout] = [],
        codesIssuedLastHour: [PolicyNumber: Int] = [:], codeDeliveryFailed: Bool = false
    ) {
        self.isOptedOut = isOptedOut
        self.policies = policies
        self.lockouts = lockouts
        self.codesIssuedLastHour = codesIssuedLastHour
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
