public import Foundation

/// A credential for the `/api/v1` routes and `/metrics` (SPEC §7). Its secret is shown once,
/// when created; only the secret's SHA-256 is kept.
public struct AccessKey: Equatable, Sendable {
    /// What a key may do.
    public enum Role: String, CaseIterable, Sendable {
        /// The operator API, the portal and `/metrics`.
        case `operator`
        /// The verification API only.
        case verify
    }

    /// Unique; `admin` names the `admin.token` credential.
    public var name: String
    public var role: Role
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    /// Creates a key record.
    public init(name: String, role: Role, createdAt: Date, lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether `name` is a key name: 1 to 64 letters, digits, `-`, `_` or `.`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
    }
}
