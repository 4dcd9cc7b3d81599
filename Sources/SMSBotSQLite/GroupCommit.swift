import GRDB
import Synchronization

/// Group commit for SQLite: work submitted while a write transaction is running waits, and
/// then runs together with everything else that arrived, in one transaction.
///
/// SQLite has one writer, so messages are serialized anyway; what batching saves is the
/// per-transaction cost (begin, commit, WAL write, a hop onto the writer queue), which is
/// most of a small message's cost. Each job runs in its own savepoint, in arrival order, so
/// a job that throws rolls back alone and a later job sees what an earlier one wrote, as it
/// would with one transaction each. Nobody hears of success before the commit.
final class GroupCommit: Sendable {
    /// One job: runs inside the shared transaction and hands its result to its waiter.
    private struct Job {
        let work: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct Queue {
        var jobs: [Job] = []
        var isDraining = false
    }

    private let writer: any DatabaseWriter
    private let queue = Mutex(Queue())
    /// The most jobs one transaction takes, so a long queue still commits regularly.
    static let maxBatch = 128
    /// Batches committed in one turn on the writer queue before other writes get theirs.
    static let batchesPerTurn = 16

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Runs `work` in a savepoint of the next group transaction; returns once it is committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { continuation in
            let startsDrain = queue.withLock { queue in
                queue.jobs.append(Job(work: work, continuation: continuation))
                defer { queue.isDraining = true }
                return !queue.isDraining
            }
            if startsDrain { scheduleTurn() }
        }
        // Each job's closure returns `T`, and only its own continuation receives it.
        return result as! T
    }

    /// Drains the queue on the writer's own queue: no hop back and forth per batch.
    private func scheduleTurn() {
        writer.asyncWriteWithoutTransaction { db in
            for _ in 0..<Self.batchesPerTurn {
                guard let batch = self.nextBatch() else { return }
                self.commit(batch, in: db)
            }
            self.scheduleTurn()  // more waiting: queue behind any other write first
        }
    }

    /// The next jobs to commit, or `nil` (and no longer draining) when there are none.
    private func nextBatch() -> [Job]? {
        queue.withLock { queue in
            guard !queue.jobs.isEmpty else {
                queue.isDraining = false
                return nil
            }
            let batch = Array(queue.jobs.prefix(Self.maxBatch))
            queue.jobs.removeFirst(batch.count)
            return batch
        }
    }

    private func commit(_ batch: [Job], in db: Database) {
        var results: [Result<any Sendable, any Error>] = []
        results.reserveCapacity(batch.count)
        do {
            try db.inTransaction {
                for job in batch { results.append(try Self.inSavepoint(db, job.work)) }
                return .commit
            }
            for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
        } catch {
            // The transaction as a whole did not commit: nothing of any job was stored.
            for job in batch { job.continuation.resume(throwing: error) }
        }
    }

    /// Runs `work` in a savepoint, rolled back if it throws. The statements come from the
    /// statement cache (`Database.inSavepoint` compiles them anew, twice per job).
    private static func inSavepoint(
        _ db: Database, _ work: @Sendable (Database) throws -> any Sendable
    ) throws -> Result<any Sendable, any Error> {
        try db.run(sql: "SAVEPOINT job")
        do {
            let value = try work(db)
            try db.run(sql: "RELEASE SAVEPOINT job")
            return .success(value)
        } catch {
            try db.run(sql: "ROLLBACK TO SAVEPOINT job")
            try db.run(sql: "RELEASE SAVEPOINT job")
            return .failure(error)
        }
    }
}
