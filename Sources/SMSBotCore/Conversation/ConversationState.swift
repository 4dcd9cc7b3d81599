public import Foundation

/// What the bot remembers about one phone number between messages. Stored in the compact form of ``storedForm``.
///
/// Opting out is not a state here: it is a durable flag outside the conversation
/// (``MessageContext/isOptedOut``), so forgetting a conversation can never opt a number back in.
public enum ConversationState: Codable, Equatable, Sendable {
    /// Never written, or forgotten (LOGOUT, STOP, purge).
    case new
    /// Greeted; waiting for a policy number.
    case awaitingPolicyNumber
    /// A code was issued for a policy and not yet used.
    case codePending(PendingCode)
    /// Too many wrong codes: that policy is locked for this number until `until`.
    case locked(policy: PolicyNumber, until: Date)
    /// The texter proved they hold the phone on file for `policy`.
    case verified(VerifiedSession)
}

/// A one-time passcode waiting to be entered. Only its HMAC is kept; wrong attempts are
/// counted per (texter, policy) outside the conversation, so a new code does not reset them.
public struct PendingCode: Codable, Equatable, Sendable {
    /// The policy the code was issued for (which may not exist: see ``VerificationRules``).
    public var policy: PolicyNumber
    /// HMAC-SHA256 of the code bound to the requester and policy; random bytes when none was sent.
    public var codeHash: Data
    public var issuedAt: Date
    public var expiresAt: Date
    /// What the customer asked for alongside the policy number, answered once verified.
    public var request: PolicyQuestion?

    /// Creates a pending code.
    public init(policy: PolicyNumber, codeHash: Data, issuedAt: Date, expiresAt: Date, request: PolicyQuestion?) {
        self.policy = policy
        self.codeHash = codeHash
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.request = request
    }

    /// Creates the pending code of `challenge`, issued for `policy`.
    public init(policy: PolicyNumber, challenge: CodeChallenge, request: PolicyQuestion?) {
        self.init(policy: policy, codeHash: challenge.codeHash, issuedAt: challenge.issuedAt, expiresAt: challenge.expiresAt, request: request)
    }

    /// The code as the verification rules see it.
    public var challenge: CodeChallenge {
        CodeChallenge(codeHash: codeHash, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}

/// A verified session.
public struct VerifiedSession: Codable, Equatable, Sendable {
    public var policy: PolicyNumber
    /// The last message received; the session ends `session.idleSeconds` after it.
    public var lastActivity: Date

    /// Creates a session.
    public init(policy: PolicyNumber, lastActivity: Date) {
        self.policy = policy
        self.lastActivity = lastActivity
    }
}

/// A question a verified customer can ask about their policy.
public enum PolicyQuestion: String, Codable, CaseIterable, Sendable {
    case status
    case premium
    case coverage
    case claims
}
