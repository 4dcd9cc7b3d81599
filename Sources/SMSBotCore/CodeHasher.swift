public import Crypto
public import Foundation

/// Hashes one-time passcodes with HMAC-SHA256 under `secrets.key`, bound to the number that
/// asked and the policy, so a code works only for the conversation and policy it was issued for.
public struct CodeHasher: Sendable {
    private let key: SymmetricKey

    /// Creates a hasher keyed with the secrets key's bytes.
    public init(key: some ContiguousBytes) {
        self.key = SymmetricKey(data: key)
    }

    /// The HMAC of `code` as issued to `requester` for `policy`.
    public func hash(_ code: String, requester: PhoneNumber, policy: PolicyNumber) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message(code, requester, policy), using: key))
    }

    /// Whether `code` is the one `hash` was made from, compared in constant time.
    public func matches(_ code: String, hash: Data, requester: PhoneNumber, policy: PolicyNumber) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(hash, authenticating: message(code, requester, policy), using: key)
    }

    private func message(_ code: String, _ requester: PhoneNumber, _ policy: PolicyNumber) -> Data {
        Data("\(requester.e164)\u{0}\(policy.canonical)\u{0}\(code)".utf8)
    }
}
