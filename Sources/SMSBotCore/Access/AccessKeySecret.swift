import Crypto
import Foundation

/// The secret of an access key: 256 random bits, written `smsbot_` and 64 hex digits.
public struct AccessKeySecret: Sendable {
    /// The secret as the holder sends it in `Authorization: Bearer`.
    public let text: String

    /// A new secret from `random` (the system's CSPRNG in production).
    public static func generate(using random: inout some RandomNumberGenerator) -> AccessKeySecret {
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        return AccessKeySecret(text: "smsbot_" + bytes.lowercaseHex)
    }

    /// The SHA-256 of a presented secret, in hex: what is stored, and what a presented
    /// credential is looked up by (so no comparison ever runs on the secret itself).
    public static func digest(of presented: some StringProtocol) -> String {
        SHA256.hash(data: Array(presented.utf8)).lowercaseHex
    }

    /// This secret's digest.
    public var digest: String { Self.digest(of: text) }
}
