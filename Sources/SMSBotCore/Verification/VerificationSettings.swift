public import Foundation

/// The OTP rules of SPEC §2 `otp.*`, the same for every channel.
public struct VerificationSettings: Equatable, Sendable {
    public var codeLength = 6
    public var codeLifetime: TimeInterval = 300
    public var maxAttempts = 5
    public var resendCooldown: TimeInterval = 30
    /// Codes per destination phone per rolling hour, whoever asked; also the most codes one
    /// requester may ask for one subject per rolling hour.
    public var maxCodesPerHour = 5
    /// Distinct subjects (policies) one requester may ask codes for per rolling 24 hours.
    public var maxSubjectsPerDay = 3
    public var lockoutDuration: TimeInterval = 900
    /// The lockout that replaces ``lockoutDuration`` at the third lockout within 24 hours.
    public var escalatedLockoutDuration: TimeInterval = 24 * 3600
    public var lockoutsBeforeEscalation = 3

    /// The SPEC defaults.
    public init() {}

    /// The code's lifetime in whole minutes, as customers are told it.
    public var codeLifetimeMinutes: Int { Int((codeLifetime / 60).rounded(.up)) }
}
