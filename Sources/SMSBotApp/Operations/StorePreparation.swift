import Synchronization

/// Readies the store once, however many callers wait for it: the server before it accepts
/// requests, and each background service before its first look at the store.
final class StorePreparation: Sendable {
    private let work: @Sendable () async throws -> Void
    private let running = Mutex<Task<Void, any Error>?>(nil)

    /// Prepares with `work` (migrations, demo data) on the first call to ``ready()``.
    init(_ work: @escaping @Sendable () async throws -> Void) {
        self.work = work
    }

    /// Returns once the store is ready; throws what preparing it threw.
    func ready() async throws {
        let task = running.withLock { task in
            if let task { return task }
            let started = Task(operation: work)
            task = started
            return started
        }
        try await task.value
    }
}
