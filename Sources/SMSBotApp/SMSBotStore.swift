public import Foundation
public import SMSBotCore

/// Where smsbot keeps everything: policies, conversations, codes, idempotency records,
/// the outbox and the audit trail. SQLite and PostgreSQL implement it; no SQL leaves them.
public protocol SMSBotStore: Sendable {
    /// Succeeds when the store answers a trivial query.
    func checkHealth() async throws

    /// Handles an inbound message exactly once.
    ///
    /// For a `MessageSID` not seen before, `handle` runs inside one transaction with the
    /// conversation of `from` (serialized per phone number), and its replies are stored with
    /// the SID. For a SID already seen nothing runs and the stored replies come back, or none
    /// once they are older than ``InboundMessageRecord/replyRetention``.
    func processInbound(
        messageSID: MessageSID,
        from: PhoneNumber,
        at now: Date,
        handle: @escaping @Sendable (inout Conversation) -> [String]
    ) async throws -> InboundOutcome
}

/// What became of an inbound message.
public enum InboundOutcome: Sendable, Equatable {
    /// First delivery: it was handled and these are its replies.
    case handled(replies: [String])
    /// A repeated delivery: nothing changed; these are the first delivery's replies, if still kept.
    case replayed(replies: [String])

    /// The replies to answer with, whichever case this is.
    public var replies: [String] {
        switch self {
        case .handled(let replies), .replayed(let replies): replies
        }
    }
}

/// The stored conversation of one phone number.
public struct Conversation: Sendable, Equatable {
    /// The customer's number.
    public let phone: PhoneNumber
    /// The engine's state, encoded; empty for a number that has never written (or was forgotten).
    public var state: Data
    /// When the customer last wrote.
    public var updatedAt: Date

    /// Creates a conversation record.
    public init(phone: PhoneNumber, state: Data, updatedAt: Date) {
        self.phone = phone
        self.state = state
        self.updatedAt = updatedAt
    }

    /// Whether this number has no stored conversation.
    public var isNew: Bool { state.isEmpty }
}

/// Facts about the stored record of an inbound message.
public enum InboundMessageRecord {
    /// How long a reply (which may hold policy data) is kept for replaying to Twilio's retries.
    public static let replyRetention: TimeInterval = 15 * 60
}
