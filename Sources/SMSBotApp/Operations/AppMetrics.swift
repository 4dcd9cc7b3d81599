import CoreMetrics
import Metrics
import Foundation
import Prometheus
import SMSBotCore
import SMSBotStorage

/// The counters SPEC's operators watch, kept in the app's own Prometheus registry (no global
/// metrics system) and served on `GET /metrics`.
public final class AppMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let outboxDepth: CoreMetrics.Gauge
    private let webhookDuration: CoreMetrics.Timer

    /// Creates the metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
        self.factory = factory
        outboxDepth = CoreMetrics.Gauge(label: "smsbot_outbox_depth", factory: factory)
        webhookDuration = CoreMetrics.Timer(label: "smsbot_webhook_duration_seconds", factory: factory)
    }

    /// Records how many SMS wait in the outbox.
    func recordOutboxDepth(_ depth: Int) {
        outboxDepth.record(depth)
    }

    /// Records how long the webhook took to answer.
    func recordWebhookDuration(since start: ContinuousClock.Instant) {
        let elapsed = (ContinuousClock.now - start).components
        webhookDuration.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
    }

    /// Counts an inbound webhook by outcome: `handled`, `replayed`, or the HTTP status it was refused with.
    func recordInbound(_ outcome: String) {
        CoreMetrics.Counter(label: "smsbot_inbound_messages_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// Counts the authentication events of an engine transition. A code asked for counts as
    /// `requested` whether it was sent, held back or asked for an unknown policy: no metric may
    /// tell a known policy from an unknown one.
    func recordOTPEvents(_ effects: [Effect]) {
        for case .audit(let event) in effects {
            let name: String
            switch event {
            case .codeSent, .unknownPolicyRequested, .codeWithheld: name = "requested"
            case .verified: name = "verified"
            case .codeFailed: name = "failed"
            case .locked: name = "locked"
            default: continue
            }
            CoreMetrics.Counter(label: "smsbot_otp_events_total", dimensions: [("event", name)], factory: factory).increment()
        }
    }

    /// Counts the verification API's events; as for SMS, a code asked for counts as `requested`
    /// whether it was sent or held back.
    func recordVerificationEvents(_ effects: [VerificationEffect]) {
        for case .audit(let event) in effects {
            let name: String
            switch event {
            case .codeSent, .codeWithheld: name = "requested"
            case .approved: name = "approved"
            case .failed: name = "failed"
            case .maxAttempts: name = "max_attempts"
            case .canceled: name = "canceled"
            }
            CoreMetrics.Counter(label: "smsbot_api_verification_events_total", dimensions: [("event", name)], factory: factory)
                .increment()
        }
    }

    /// Counts an outbound send attempt by result.
    func recordOutbound(_ result: OutboxResult) {
        let name: String
        switch result {
        case .accepted: name = "accepted"
        case .retry: name = "retried"
        case .dropped: name = "dropped"
        }
        CoreMetrics.Counter(label: "smsbot_outbound_sms_total", dimensions: [("result", name)], factory: factory).increment()
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String {
        registry.emitToString()
    }
}
