import Crypto
public import Foundation

/// Hashes one-time passcodes with HMAC-SHA256 under `secrets.key`, bound to who asked and what
/// for, so a code works only for the conversation and policy (the binding) it was issued for.
public struct CodeHasher: Sendable {
    private let key: SymmetricKey

    /// Creates a hasher keyed with the secrets key's bytes.
    public init(key: some ContiguousBytes) {
        self.key = SymmetricKey(data: key)
    }

    /// The HMAC of `code` as issued for `binding`.
    public func hash(_ code: String, for binding: CodeBinding) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message(code, binding), using: key))
    }

    /// Whether `code` is the one `hash` was made from, compared in constant time.
    public func matches(_ code: String, hash: Data, for binding: CodeBinding) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(hash, authenticating: message(code, binding), using: key)
    }

    private func message(_ code: String, _ binding: CodeBinding) -> Data {
        Data("\(binding.requester)\u{0}\(binding.subject)\u{0}\(code)".utf8)
    }
}
