import Foundation
import Synchronization
public import SMSBotCore
public import SMSBotStorage

/// Runs one inbound message through the engine inside the store's transaction, and wakes
/// the outbox when it may have queued an SMS. The webhook and `simulate` both use it.
public struct ConversationService: Sendable {
    let store: any ConversationStore
    let engine: ConversationEngine
    let renderer: ReplyRenderer
    let outbox: OutboxWorker
    let metrics: AppMetrics

    /// Handles `message` once per `messageSID`.
    public func handle(_ message: IncomingMessage, messageSID: MessageSID) async throws -> InboundOutcome {
        let engine = engine
        let renderer = renderer
        let metrics = metrics
        let queuedSMS = SMSQueuedFlag()
        let outcome = try await store.processInbound(
            messageSID: messageSID, message: message, mentionedPolicies: message.mentionedPolicies
        ) { state, context in
            var random = SystemRandomNumberGenerator()
            let transition = engine.messageReceived(message, state: state, context: context, random: &random)
            metrics.recordOTPEvents(transition.effects)
            let outbound = transition.effects.compactMap { effect -> OutboundSMS? in
                guard case .sendCode(let code, let to, _, let expiresAt) = effect else { return nil }
                return OutboundSMS(kind: .otp, to: to, body: renderer.otpSMS(code: code), notAfter: expiresAt)
            }
            if !outbound.isEmpty { queuedSMS.set() }
            return InboundDecision(
                state: transition.state, replies: transition.replies.map(renderer.render), outbound: outbound,
                effects: transition.effects, acknowledgesDeliveryFailure: context.codeDeliveryFailed)
        }
        // Only a message that queued an SMS wakes the worker: waking it for every message would
        // cost a write transaction each time.
        if case .handled = outcome, queuedSMS.isSet { outbox.wake() }
        return outcome
    }

    /// Sends what the outbox holds now, without waiting for the worker: for `simulate`.
    public func deliverOutbox() async {
        await outbox.deliverDue()
    }
}

/// Whether a transaction queued an SMS; set from inside the store's closure.
private final class SMSQueuedFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
