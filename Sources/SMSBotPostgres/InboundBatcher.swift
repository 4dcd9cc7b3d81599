import SMSBotCore
import SMSBotStorage
import Synchronization

/// Batches inbound messages of different numbers: the messages that arrive while earlier
/// batches are being read and written go together into the next one, so that a busy server
/// makes one read and one write for many messages instead of two per message (what the SQLite
/// store's group commit does for its one writer). An idle server handles each message at once,
/// in a batch of one.
///
/// At most ``maxRunning`` batches run at a time. A number is in at most one running batch: its
/// later messages wait for the next, so that they do not lose the conditional write to each
/// other. That is an economy, not the guarantee; the conditional write is (``StoreDecision``).
final class InboundBatcher: Sendable {
    /// A message to handle: what to read, and how to decide.
    struct Job: Sendable {
        var request: PostgresStore.InboundRequest
        var decide: @Sendable (ConversationState, MessageContext) -> InboundDecision
    }

    /// Handles a batch: per job, its outcome, `nil` when it must be handled alone instead, or why it failed.
    typealias Handler = @Sendable ([Job]) async -> [Result<InboundOutcome?, any Error>]

    /// The most messages in one batch.
    static let maxBatch = 64
    /// The most batches running at once: one being read or written while the next one's rows
    /// are decided on the other core.
    static let maxRunning = 2

    private struct Waiting {
        var job: Job
        var continuation: CheckedContinuation<InboundOutcome?, any Error>
        var phone: String { job.request.phone.e164 }
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var running = 0
        var busyPhones: Set<String> = []

        /// Takes as many batches as may start now.
        mutating func takeBatches() -> [[Waiting]] {
            var batches: [[Waiting]] = []
            while running < InboundBatcher.maxRunning, !waiting.isEmpty {
                var batch: [Waiting] = []
                var later: [Waiting] = []
                var phones: Set<String> = []
                for message in waiting {
                    if batch.count < InboundBatcher.maxBatch, !busyPhones.contains(message.phone), phones.insert(message.phone).inserted {
                        batch.append(message)
                    } else {
                        later.append(message)
                    }
                }
                guard !batch.isEmpty else { break }
                waiting = later
                busyPhones.formUnion(phones)
                running += 1
                batches.append(batch)
            }
            return batches
        }
    }

    private let queue = Mutex(Queue())
    private let handle: Handler

    init(handle: @escaping Handler) {
        self.handle = handle
    }

    /// Handles `job` in the next batch that may take it: its outcome, or `nil` when it must be
    /// handled alone (its conversation row changed meanwhile).
    func submit(_ job: Job) async throws -> InboundOutcome? {
        try await withCheckedThrowingContinuation { continuation in
            let batches = queue.withLock { queue in
                queue.waiting.append(Waiting(job: job, continuation: continuation))
                return queue.takeBatches()
            }
            for batch in batches { run(batch) }
        }
    }

    private func run(_ batch: [Waiting]) {
        Task {
            let outcomes = await handle(batch.map(\.job))
            for (index, message) in batch.enumerated() {
                message.continuation.resume(with: outcomes.indices.contains(index) ? outcomes[index] : .success(nil))
            }
            let next = queue.withLock { queue in
                queue.running -= 1
                queue.busyPhones.subtract(batch.map(\.phone))
                return queue.takeBatches()
            }
            for batch in next { run(batch) }
        }
    }
}
