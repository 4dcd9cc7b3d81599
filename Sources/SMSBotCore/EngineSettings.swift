public import Foundation

/// The OTP and session rules the engine applies (SPEC §2 `otp.*`, `session.*`).
public struct EngineSettings: Equatable, Sendable {
    public var codeLength = 6
    public var codeLifetime: TimeInterval = 300
    public var maxAttempts = 5
    public var resendCooldown: TimeInterval = 30
    public var maxCodesPerHour = 5
    public var lockoutDuration: TimeInterval = 900
    /// The lockout that replaces ``lockoutDuration`` at the third lockout within 24 hours.
    public var escalatedLockoutDuration: TimeInterval = 24 * 3600
    public var lockoutsBeforeEscalation = 3
    public var sessionIdleTimeout: TimeInterval = 900

    /// The SPEC defaults.
    public init() {}
}
