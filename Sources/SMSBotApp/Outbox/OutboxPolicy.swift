import Foundation
import SMSBotStorage
import TwilioKit

/// The retry rules of SPEC §3 "Outbound SMS": what to do with an attempt that failed.
struct OutboxPolicy: Sendable {
    /// Attempts before an SMS that keeps failing is dropped.
    var maxAttempts = 8
    /// The first retry's delay; it doubles each time, with ±50% jitter, up to ``maxDelay``.
    var baseDelay: TimeInterval = 1
    var maxDelay: TimeInterval = 60

    /// What becomes of `message` after `error`, at `now`.
    func result(after error: SMSSendError, for message: OutboxMessage, at now: Date, random: inout some RandomNumberGenerator) -> OutboxResult {
        let deliveryFailed = message.sms.kind == .otp
        let giveUp = OutboxResult.dropped(
            reason: error.reason, code: error.code, optOut: error.code == TwilioAPIError.unsubscribedRecipient, deliveryFailed: deliveryFailed)
        switch error.kind {
        case .rejected:
            return giveUp
        case .ambiguous where message.ambiguousFailures > 0:
            // The Messages API has no idempotency key: a second unanswered attempt is not repeated.
            return giveUp
        case .ambiguous, .notSent:
            guard message.attempts + 1 < maxAttempts else { return giveUp }
            let backoff = min(maxDelay, baseDelay * pow(2, Double(message.attempts))) * Double.random(in: 0.5...1.5, using: &random)
            let delay = max(backoff, min(error.retryAfter ?? 0, maxDelay))
            return .retry(at: now.addingTimeInterval(delay), code: error.code, ambiguous: error.kind == .ambiguous)
        }
    }
}
