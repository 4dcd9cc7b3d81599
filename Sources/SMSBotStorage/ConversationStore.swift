import Foundation
public import SMSBotCore

/// Conversations: each inbound message handled once, in one transaction, serialized per number.
public protocol ConversationStore: Sendable {
    /// Handles an inbound message exactly once, in one transaction.
    ///
    /// For a `MessageSID` not seen before: loads the conversation of `message.from` (serialized
    /// per phone number) and the ``MessageContext`` for it and for `subjects` (with every policy on file for the number), runs
    /// `decide`, then saves the new state, queues the outbound SMS, applies the effects and
    /// records the SID with the replies. `decide` may run more than once (a store that writes
    /// optimistically decides again when the conversation changed meanwhile): only the decision
    /// stored counts, so it must not act on its own. For a SID already seen nothing runs and the stored
    /// replies come back, or none once they are older than ``InboundMessageRecord/replyRetention``.
    func processInbound(
        messageSID: MessageSID,
        message: IncomingMessage,
        subjects: [CodeSubject],
        decide: @escaping @Sendable (ConversationState, MessageContext) -> InboundDecision
    ) async throws -> InboundOutcome
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

