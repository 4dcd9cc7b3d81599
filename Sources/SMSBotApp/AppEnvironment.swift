public import Foundation
public import Logging

/// The side effects the app takes from outside: the clock, the logger, and where SMS go.
/// Tests replace only what they need.
public struct AppEnvironment: Sendable {
    /// The current time.
    public var now: @Sendable () -> Date
    /// Where the app logs.
    public var logger: Logger
    /// Sends outbound SMS; `nil` picks the sender `sms.sender` names.
    public var smsSender: (any SMSSender)?

    /// Creates an environment.
    public init(
        now: @escaping @Sendable () -> Date = Date.init, logger: Logger = Logger(label: "smsbot"),
        smsSender: (any SMSSender)? = nil
    ) {
        self.now = now
        self.logger = logger
        self.smsSender = smsSender
    }

    /// The real clock and the `smsbot` logger.
    public static var live: AppEnvironment { AppEnvironment() }
}
