public import Foundation

/// A verification of the API (SPEC §8): one destination, one pending code at a time, for the
/// access key that asked.
public struct APIVerification: Equatable, Sendable {
    /// Where a verification's code goes.
    public enum Destination: Hashable, Sendable {
        /// A phone the caller gave.
        case phone(PhoneNumber)
        /// The phone on file for a policy, which the caller never sees.
        case policy(PolicyNumber)

        /// The subject of the code's binding, as stored: `phone:+15551230001` or `policy:AUTO1001`.
        public var subject: String {
            switch self {
            case .phone(let phone): "phone:\(phone.e164)"
            case .policy(let policy): "policy:\(policy.canonical)"
            }
        }

        /// Reads a stored ``subject``.
        public init?(subject: String) {
            if subject.hasPrefix("phone:"), let phone = PhoneNumber(e164: String(subject.dropFirst(6))) {
                self = .phone(phone)
            } else if subject.hasPrefix("policy:"), let policy = PolicyNumber(String(subject.dropFirst(7))) {
                self = .policy(policy)
            } else {
                return nil
            }
        }
    }

    /// Where a verification stands.
    public enum Status: String, CaseIterable, Sendable {
        case pending
        case approved
        case maxAttemptsReached = "max_attempts_reached"
        case expired
        case canceled
    }

    /// Random, 128 bits (`vf_` and 32 hex digits).
    public var id: String
    /// The name of the access key that created it: the only one that sees it.
    public var requester: String
    public var destination: Destination
    /// The stored status; a pending verification whose code ran out is ``Status/expired`` (``status(at:)``).
    public var status: Status
    /// The current code's HMAC and lifetime.
    public var challenge: CodeChallenge
    public var attemptsLeft: Int
    public var createdAt: Date

    /// Creates a verification.
    public init(
        id: String, requester: String, destination: Destination, status: Status, challenge: CodeChallenge, attemptsLeft: Int,
        createdAt: Date
    ) {
        self.id = id
        self.requester = requester
        self.destination = destination
        self.status = status
        self.challenge = challenge
        self.attemptsLeft = attemptsLeft
        self.createdAt = createdAt
    }

    /// The status at `now`: a pending one expires with its code.
    public func status(at now: Date) -> Status {
        status == .pending && now >= challenge.expiresAt ? .expired : status
    }

    /// The binding of its codes: the key, and the destination.
    public var binding: CodeBinding { Self.binding(requester: requester, destination: destination) }

    /// The binding of the codes `requester` asks for `destination`. The key's name is prefixed,
    /// so an API caller's counts never mix with a texter's (a phone number) in the same tables.
    public static func binding(requester: String, destination: Destination) -> CodeBinding {
        CodeBinding(requester: "key:\(requester)", subject: destination.subject)
    }

    /// A new id from `random`.
    static func newID(using random: inout some RandomNumberGenerator) -> String {
        "vf_" + (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) }.lowercaseHex
    }
}
