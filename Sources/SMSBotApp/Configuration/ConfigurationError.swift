/// A configuration value that cannot be used. Its text is one line naming the key;
/// it quotes the offending value only for keys that are not secret.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The configuration key, e.g. `otp.length`.
    public let key: String
    /// Why the value is refused.
    public let reason: String

    init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "invalid configuration: \(key): \(reason)" }
}
