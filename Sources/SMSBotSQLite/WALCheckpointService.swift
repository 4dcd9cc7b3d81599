import GRDB
import Logging
import ServiceLifecycle

/// Keeps the SQLite WAL checkpointed in the background (see ``SQLiteStore/checkpointWAL()``).
struct WALCheckpointService: Service {
    let store: SQLiteStore
    let logger: Logger
    var interval: Duration = .milliseconds(100)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    try await store.checkpointWAL()
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    continue  // the writer is checkpointing itself right now
                } catch {
                    if Task.isCancelled { return }  // shutting down: cut off, not failed
                    logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
