public import Foundation
public import SMSBotCore

/// What the operator API (SPEC §9) reads and changes: policies, conversations, the audit
/// trail, the outbox and opt-outs. Written once, over ``StoreScripting``, for both stores;
/// every change is one transaction and an audit event naming the acting key.
public protocol OperatorStore: StoreScripting {}

/// Who changed something, and when.
public struct OperatorAction: Sendable {
    /// The acting access key's name.
    public var actor: String
    public var at: Date

    /// Creates an action.
    public init(actor: String, at: Date) {
        self.actor = actor
        self.at = at
    }
}

/// One page of a list, and the cursor of the next (`nil`: the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    /// Creates a page.
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// What a change to a policy must send: the welcome SMS to its phone, and the notice to a phone it replaced.
public struct PolicyMessages: Sendable {
    public var welcome: @Sendable (PhoneNumber) -> OutboundSMS
    public var phoneChangedNotice: @Sendable (PhoneNumber) -> OutboundSMS

    /// Creates the messages.
    public init(welcome: @escaping @Sendable (PhoneNumber) -> OutboundSMS, phoneChangedNotice: @escaping @Sendable (PhoneNumber) -> OutboundSMS) {
        self.welcome = welcome
        self.phoneChangedNotice = phoneChangedNotice
    }
}

/// A policy in a list: no claims, the phone masked.
public struct PolicySummary: Equatable, Sendable {
    public var number: PolicyNumber
    public var displayNumber: String
    public var holderName: String
    public var phoneMasked: String
    public var product: String
    public var status: String
}

/// A phone's conversation as an operator sees it: never a code or a message text.
public struct ConversationSummary: Equatable, Sendable {
    public var phone: PhoneNumber
    public var optedOut: Bool
    /// The stored state (`nil`: none), to tell a verified or pending policy.
    public var state: ConversationState?
    /// The policies locked for this phone, with the end of each lock; `FORGOT` for a lock on
    /// codes to the phone itself.
    public var locks: [(policy: String, until: Date)]
    public var lastMessageAt: Date?

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.phone == rhs.phone && lhs.optedOut == rhs.optedOut && lhs.state == rhs.state && lhs.lastMessageAt == rhs.lastMessageAt
            && lhs.locks.map(\.policy) == rhs.locks.map(\.policy) && lhs.locks.map(\.until) == rhs.locks.map(\.until)
    }
}

extension ConversationSummary {
    /// The verified session, while it has not gone idle (`idleTimeout`) at `now`.
    public func verifiedSession(at now: Date, idleTimeout: TimeInterval) -> VerifiedSession? {
        guard case .verified(let session) = state, now.timeIntervalSince(session.lastActivity) < idleTimeout else { return nil }
        return session
    }

    /// The policy of a verified session that has not gone idle (`idleTimeout`) at `now`; for a
    /// session verified by phone (`FORGOT`), the policy chosen, if any.
    public func verifiedPolicy(at now: Date, idleTimeout: TimeInterval) -> PolicyNumber? {
        verifiedSession(at: now, idleTimeout: idleTimeout)?.policy
    }

    /// Whether a code is pending for the phone itself (`FORGOT`), while it has not run out.
    public func forgotCodePending(at now: Date) -> Bool {
        guard case .codePending(let code) = state, code.expiresAt > now else { return false }
        return code.subject.policy == nil
    }

    /// The policy a code is pending for, while it has not run out (`nil` for a `FORGOT` code).
    public func pendingPolicy(at now: Date) -> PolicyNumber? {
        guard case .codePending(let code) = state, code.expiresAt > now else { return nil }
        return code.subject.policy
    }
}

/// An audit row.
public struct AuditRecord: Equatable, Sendable {
    public var id: Int64
    public var occurredAt: Date
    public var event: String
    public var phoneMasked: String
    public var policyNumber: String?
    public var detail: String?
    /// The access key that made the change, for operator actions.
    public var actor: String?
}

/// An outbox row, without its body.
public struct OutboxRecord: Equatable, Sendable {
    public var id: Int64
    public var kind: String
    public var toMasked: String
    public var status: String
    public var attempts: Int
    public var twilioSID: String?
    public var errorCode: Int?
    public var deliveryStatus: String?
    public var createdAt: Date
    public var updatedAt: Date
}

/// An opted-out number, masked.
public struct OptOutRecord: Equatable, Sendable {
    public var phoneMasked: String
    public var since: Date
}

/// The change was refused; nothing was written.
public enum OperatorRefusal: Error, Equatable {
    case policyExists
    case notFound
}
