public import Foundation
public import Logging

/// The side effects the app takes from outside: the clock and the logger.
/// Tests replace only what they need.
public struct AppEnvironment: Sendable {
    /// The current time.
    public var now: @Sendable () -> Date
    /// Where the app logs.
    public var logger: Logger

    /// Creates an environment.
    public init(now: @escaping @Sendable () -> Date = Date.init, logger: Logger = Logger(label: "smsbot")) {
        self.now = now
        self.logger = logger
    }

    /// The real clock and the `smsbot` logger.
    public static var live: AppEnvironment { AppEnvironment() }
}
