public import Foundation
public import SMSBotCore

/// Where smsbot keeps everything: policies, conversations, codes issued, idempotency records,
/// the outbox and the audit trail. SQLite and PostgreSQL implement it; no SQL leaves them.
public protocol SMSBotStore: Sendable {
    /// Succeeds when the store answers a query that touches its schema.
    func checkHealth() async throws

    /// Handles an inbound message exactly once, in one transaction.
    ///
    /// For a `MessageSID` not seen before: loads the conversation of `message.from` (serialized
    /// per phone number) and the ``MessageContext`` for it and for `mentionedPolicies`, runs
    /// `decide`, then saves the new state, queues the outbound SMS, applies the effects and
    /// records the SID with the replies. For a SID already seen nothing runs and the stored
    /// replies come back, or none once they are older than ``InboundMessageRecord/replyRetention``.
    func processInbound(
        messageSID: MessageSID,
        message: IncomingMessage,
        mentionedPolicies: [PolicyNumber],
        decide: @escaping @Sendable (ConversationState, MessageContext) -> InboundDecision
    ) async throws -> InboundOutcome

    /// Inserts or updates policies (with their claims, replaced whole), all or nothing.
    func upsertPolicies(_ policies: [Policy], at now: Date) async throws

    /// Inserts those of `policies` whose number is not stored yet; returns how many that was.
    func insertMissingPolicies(_ policies: [Policy], at now: Date) async throws -> Int

    /// Every policy, ordered by number.
    func allPolicies() async throws -> [Policy]

    /// Claims up to `limit` outbound SMS that are due, marking them in flight.
    func claimDueOutbound(at now: Date, limit: Int) async throws -> [OutboxMessage]

    /// Records what became of an outbound SMS claimed by ``claimDueOutbound(at:limit:)``.
    func completeOutbound(id: Int64, result: OutboxResult, at now: Date) async throws

    /// How many SMS wait in the outbox (pending or in flight).
    func outboxDepth() async throws -> Int

    /// Records Twilio's `MessageStatus` for the SMS it knows as `providerID`, unless a status
    /// further along is already recorded. Returns whether such an SMS exists.
    func recordDeliveryStatus(providerID: String, status: DeliveryStatus, at now: Date) async throws -> Bool

    /// Deletes what SPEC §5 says is kept no longer; returns how many rows went.
    func purge(at now: Date) async throws -> Int
}

/// What the app decided for one inbound message, ready to store.
public struct InboundDecision: Sendable {
    public var state: ConversationState
    /// The reply texts, rendered.
    public var replies: [String]
    /// SMS to queue in the outbox, in the same transaction.
    public var outbound: [OutboundSMS]
    /// The engine's effects; the store applies all but ``Effect/sendCode(code:to:policy:expiresAt:)``,
    /// which arrives rendered in ``outbound``.
    public var effects: [Effect]
    /// Whether the context reported an undelivered code: handling this message told the
    /// customer (or moved past it), so the store marks it told.
    public var acknowledgesDeliveryFailure: Bool

    /// Creates a decision.
    public init(
        state: ConversationState, replies: [String], outbound: [OutboundSMS] = [], effects: [Effect] = [],
        acknowledgesDeliveryFailure: Bool = false
    ) {
        self.state = state
        self.replies = replies
        self.outbound = outbound
        self.effects = effects
        self.acknowledgesDeliveryFailure = acknowledgesDeliveryFailure
    }
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

/// Facts about the stored record of an inbound message.
public enum InboundMessageRecord {
    /// How long a reply (which may hold policy data) is kept for replaying to Twilio's retries.
    public static let replyRetention: TimeInterval = 15 * 60
    /// How long a `MessageSid` is remembered at all.
    public static let sidRetention: TimeInterval = 48 * 3600
    /// How long an idle conversation's state is kept.
    public static let conversationRetention: TimeInterval = 30 * 24 * 3600

    /// The stored replies (a JSON array) as a replay returns them: none once past ``replyRetention``.
    static func replayedReplies(stored reply: String?, receivedAt: Int64, now: Date) throws -> [String] {
        guard let reply, now.timeIntervalSince(Date(unixMilliseconds: receivedAt)) <= replyRetention else { return [] }
        return try JSONDecoder().decode([String].self, from: Data(reply.utf8))
    }

    /// Replies as stored: a JSON array of texts, written directly (this runs for every message;
    /// JSONEncoder cost more than the row it fills).
    static func encode(_ replies: [String]) -> String {
        var json = "["
        for (index, reply) in replies.enumerated() {
            if index > 0 { json += "," }
            json += "\""
            // Most replies need no escaping at all: append them whole.
            if !reply.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                json += reply
                json += "\""
                continue
            }
            for scalar in reply.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case "\n": json += "\\n"
                case "\r": json += "\\r"
                case "\t": json += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: json.unicodeScalars.append(scalar)
                }
            }
            json += "\""
        }
        return json + "]"
    }
}
