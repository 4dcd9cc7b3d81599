public import Foundation

/// What the bot remembers about one phone number between messages. Stored in the compact form of ``storedForm``.
///
/// Opting out is not a state here: it is a durable flag outside the conversation
/// (``MessageContext/isOptedOut``), so forgetting a conversation can never opt a number back in.
public enum ConversationState: Equatable, Sendable {
    /// Never written, or forgotten (LOGOUT, STOP, purge).
    case new
    /// Greeted; waiting for a policy number or `FORGOT`.
    case awaitingPolicyNumber
    /// Waiting for a policy number or `FORGOT` after the customer asked for something, which is
    /// answered once they are verified (`PREMIUM`, then `FORGOT`).
    case rememberingRequest(PolicyQuestion)
    /// A code was issued and not yet used.
    case codePending(PendingCode)
    /// Too many wrong codes: the subject is locked for this number until `until`.
    case locked(subject: CodeSubject, until: Date)
    /// The texter proved they hold the phone on file for a policy, or for all of theirs.
    case verified(VerifiedSession)
}

/// A one-time passcode waiting to be entered. Only its HMAC is kept; wrong attempts are
/// counted per (texter, policy) outside the conversation, so a new code does not reset them.
public struct PendingCode: Equatable, Sendable {
    /// What the code was issued for (a policy that may not exist, or a phone that may be on
    /// file for none: see ``VerificationRules``).
    public var subject: CodeSubject
    /// HMAC-SHA256 of the code bound to the requester and policy; random bytes when none was sent.
    public var codeHash: Data
    public var issuedAt: Date
    public var expiresAt: Date
    /// What the customer asked for alongside the policy number, answered once verified.
    public var request: PolicyQuestion?

    /// Creates a pending code.
    public init(subject: CodeSubject, codeHash: Data, issuedAt: Date, expiresAt: Date, request: PolicyQuestion?) {
        self.subject = subject
        self.codeHash = codeHash
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.request = request
    }

    /// Creates the pending code of `challenge`, issued for `subject`.
    public init(subject: CodeSubject, challenge: CodeChallenge, request: PolicyQuestion?) {
        self.init(subject: subject, codeHash: challenge.codeHash, issuedAt: challenge.issuedAt, expiresAt: challenge.expiresAt, request: request)
    }

    /// The code as the verification rules see it.
    public var challenge: CodeChallenge {
        CodeChallenge(codeHash: codeHash, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}

/// A verified session.
public struct VerifiedSession: Equatable, Sendable {
    /// The policy answers come from; `nil` while a texter verified by phone (``byPhone``) has
    /// yet to choose one of theirs.
    public var policy: PolicyNumber?
    /// Verified through `FORGOT`: the texter holds every policy on file for their number, and
    /// may choose or switch between them without a new code.
    public var byPhone: Bool
    /// What the customer asked for before verifying by phone, answered once they choose a policy.
    public var request: PolicyQuestion?
    /// The last message received; the session ends `session.idleSeconds` after it.
    public var lastActivity: Date

    /// Creates a session.
    public init(policy: PolicyNumber?, byPhone: Bool = false, request: PolicyQuestion? = nil, lastActivity: Date) {
        self.policy = policy
        self.byPhone = byPhone
        self.request = request
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
