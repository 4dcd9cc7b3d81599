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
        let decided = DecidedEffects()
        let outcome = try await store.processInbound(
            messageSID: messageSID, message: message, subjects: message.subjects
        ) { state, context in
            var random = SystemRandomNumberGenerator()
            let transition = engine.messageReceived(message, state: state, context: context, random: &random)
            decided.set(transition.effects)
            let outbound = transition.effects.compactMap { effect -> OutboundSMS? in
                guard case .sendCode(let code, let to, _, let expiresAt) = effect else { return nil }
                return OutboundSMS(kind: .otp, to: to, body: renderer.otpSMS(code: code), notAfter: expiresAt)
            }
            return InboundDecision(
                state: transition.state, replies: transition.replies.map(renderer.render), outbound: outbound,
                effects: transition.effects, acknowledgesDeliveryFailure: context.codeDeliveryFailed)
        }
        // The store may decide more than once (PostgreSQL, when the conversation changed meanwhile):
        // what counts is the last decision, the one stored.
        guard case .handled = outcome else { return outcome }
        let effects = decided.effects
        metrics.recordOTPEvents(effects)
        // Only a message that queued an SMS wakes the worker: waking it for every message would
        // cost a write transaction each time.
        if effects.contains(where: { if case .sendCode = $0 { true } else { false } }) { outbox.wake() }
        return outcome
    }

    /// Sends what the outbox holds now, without waiting for the worker: for `simulate`.
    public func deliverOutbox() async {
        await outbox.deliverDue()
    }
}

/// The effects of the last decision made inside the store's closure.
private final class DecidedEffects: Sendable {
    private let value = Mutex<[Effect]>([])

    func set(_ effects: [Effect]) { value.withLock { $0 = effects } }
    var effects: [Effect] { value.withLock { $0 } }
}
