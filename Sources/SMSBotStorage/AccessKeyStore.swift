public import Foundation
public import SMSBotCore

/// Access keys (SPEC §7), shared by every instance through the store: a revocation holds at
/// once everywhere, since every request looks its key up.
public protocol AccessKeyStore: Sendable {
    /// Stores a new key with the SHA-256 (hex) of its secret; throws ``AccessKeyExists`` for a name in use.
    func createAccessKey(_ key: AccessKey, secretDigest: String) async throws

    /// Every key, by name; never a secret.
    func accessKeys() async throws -> [AccessKey]

    /// Revokes the key `name` at `now`; returns whether a key of that name was not revoked yet.
    func revokeAccessKey(named name: String, at now: Date) async throws -> Bool

    /// The live (not revoked) key whose secret has this digest, recording its use at `now` and
    /// counting it in the key's one-minute request window.
    func accessKey(forSecretDigest digest: String, usedAt now: Date) async throws -> AccessKeyUse?
}

/// A key found for a request, with the key's requests in the current minute, this one included,
/// on every instance.
public struct AccessKeyUse: Equatable, Sendable {
    public var key: AccessKey
    public var windowStartedAt: Date
    public var requestsInWindow: Int

    /// Creates a use.
    public init(key: AccessKey, windowStartedAt: Date, requestsInWindow: Int) {
        self.key = key
        self.windowStartedAt = windowStartedAt
        self.requestsInWindow = requestsInWindow
    }
}

/// A key of that name exists already.
public struct AccessKeyExists: Error, CustomStringConvertible {
    public let name: String

    public init(name: String) {
        self.name = name
    }

    public var description: String { "an access key named \(name) exists already" }
}
