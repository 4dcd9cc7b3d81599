import Foundation
import Logging
import SMSBotCore
public import ServiceLifecycle
import SMSBotStorage

/// Sends what the outbox holds: woken when a message queues an SMS, and every second anyway,
/// so rows left by a restart or a crashed worker go out within seconds. Stops on graceful shutdown.
public final class OutboxWorker: Service, Sendable {
    private let store: any OutboxStore
    private let sender: any SMSSender
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    static let pollInterval: Duration = .seconds(1)
    private let policy: OutboxPolicy
    private let metrics: AppMetrics
    /// How long a claimed SMS stays with this worker: the send's timeout and the time to record
    /// its result, so a slow send is not taken over (and sent twice) while it is still running,
    /// yet a worker that died is replaced within seconds, not minutes.
    private let lease: TimeInterval

    /// The time, beyond the send timeout, a worker has to record a send's result.
    static let completionMargin: TimeInterval = 10

    init(
        store: any OutboxStore, sender: any SMSSender, sendTimeout: TimeInterval, policy: OutboxPolicy = OutboxPolicy(),
        metrics: AppMetrics, now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.store = store
        self.sender = sender
        self.lease = sendTimeout + Self.completionMargin
        self.policy = policy
        self.metrics = metrics
        self.now = now
        self.logger = logger
        (wakeups, wakeup) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the worker to look at the outbox now.
    func wake() {
        wakeup.yield()
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wakeup] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.pollInterval)
                    wakeup.yield()
                }
            }
            for await _ in wakeups.cancelOnGracefulShutdown() {
                await deliverDue()
            }
            group.cancelAll()
        }
    }

    /// Sends every due SMS once; returns how many were handled.
    @discardableResult
    func deliverDue() async -> Int {
        var handled = 0
        while true {
            let batch: [OutboxMessage]
            do {
                batch = try await store.claimDueOutbound(at: now(), limit: 16, lease: lease)
            } catch {
                // Shutting down cuts a claim off: that is no outage.
                if !Task.isCancelled { logger.error("outbox unavailable", metadata: ["error": "\(error)"]) }
                return handled
            }
            guard !batch.isEmpty else {
                if let depth = try? await store.outboxDepth() { metrics.recordOutboxDepth(depth) }
                return handled
            }
            await deliverConcurrently(batch)
            handled += batch.count
        }
    }

    /// Sends to different phones at once, and to one phone in the order the SMS were queued,
    /// so a customer never receives an older code after a newer one. (The store hands out one
    /// SMS per phone at a time; the grouping keeps the order should a batch hold more.)
    private func deliverConcurrently(_ batch: [OutboxMessage]) async {
        let byRecipient = Dictionary(grouping: batch, by: \.sms.to).values
        await withTaskGroup(of: Void.self) { group in
            for messages in byRecipient {
                group.addTask {
                    for message in messages { await self.deliver(message) }
                }
            }
        }
    }

    private func deliver(_ message: OutboxMessage) async {
        let metadata: Logger.Metadata = [
            "to": "\(message.sms.to.masked)", "outbox_id": "\(message.id)", "kind": "\(message.sms.kind.rawValue)",
        ]
        let result: OutboxResult
        if message.recipientOptedOut {
            result = .dropped(reason: "recipient opted out", code: nil, optOut: false, deliveryFailed: false)
        } else if let notAfter = message.sms.notAfter, now() >= notAfter {
            result = .dropped(reason: "code expired before it could be sent", code: nil, optOut: false, deliveryFailed: false)
        } else {
            do {
                result = .accepted(providerID: try await sender.send(message.sms))
            } catch {
                var random = SystemRandomNumberGenerator()
                result = policy.result(after: error, for: message, at: now(), random: &random)
            }
        }
        metrics.recordOutbound(result)
        switch result {
        case .accepted: logger.info("sms sent", metadata: metadata)
        case .dropped(let reason, _, _, _): logger.warning("sms dropped", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
        case .retry: logger.warning("sms send failed, will retry", metadata: metadata)
        }
        await record(result, of: message, metadata: metadata)
    }

    /// Records a send's result, trying again for a few seconds (within the lease's margin) when
    /// the store fails: an unrecorded send would be taken over as abandoned, and maybe sent twice.
    private func record(_ result: OutboxResult, of message: OutboxMessage, metadata: Logger.Metadata) async {
        var delay = Duration.milliseconds(200)
        for attempt in 1...Self.completionAttempts {
            do {
                try await store.completeOutbound(id: message.id, result: result, at: now())
                return
            } catch {
                guard attempt < Self.completionAttempts, !Task.isCancelled else {
                    logger.error("could not record an outbox result", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                    return
                }
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }

    /// Tries at recording a result: 0.2 + 0.4 + 0.8 + 1.6 + 3.2 s of waiting, inside ``completionMargin``.
    static let completionAttempts = 6
}
