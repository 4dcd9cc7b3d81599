public import Foundation

/// The rules the conversation engine applies (SPEC §2 `otp.*`, `session.*`).
public struct EngineSettings: Equatable, Sendable {
    /// The OTP rules, shared with every other channel.
    public var verification = VerificationSettings()
    public var sessionIdleTimeout: TimeInterval = 900

    /// The SPEC defaults.
    public init() {}
}
