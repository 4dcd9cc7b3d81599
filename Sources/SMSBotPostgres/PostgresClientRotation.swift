import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The store's PostgresNIO client, replaced by a fresh one when the database fails it.
///
/// PostgresNIO's pool backs off longer and longer while it cannot connect, so after an outage
/// of a minute it may wait many seconds more before it tries again (SPEC §3 wants 2 s). A
/// fresh client has no backoff: while queries fail for connection reasons, the store swaps in
/// a new client at most once per ``minimumInterval``, and the first query after the database
/// is back connects at once. This service runs every client until it is replaced.
final class PostgresClientRotation: Service, Sendable {
    /// The least time between two replacements.
    static let minimumInterval: Duration = .seconds(1)

    private let configuration: PostgresClient.Configuration
    private let logger: Logger
    /// The client in use, the latch that stops it, and when a replacement was last asked for.
    private let state: Mutex<(current: PostgresClient, stopCurrent: Latch, replacedAt: ContinuousClock.Instant)>
    private let starts: AsyncStream<(PostgresClient, Latch)>
    private let start: AsyncStream<(PostgresClient, Latch)>.Continuation
    /// Opens when the first client starts running: nothing should query before (PostgresNIO
    /// warns about a lease before `run()`).
    let started = Latch()

    init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let first = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let stopFirst = Latch()
        state = Mutex((first, stopFirst, .now - Self.minimumInterval))
        (starts, start) = AsyncStream.makeStream()
        start.yield((first, stopFirst))
    }

    /// The client queries use now.
    var current: PostgresClient { state.withLock { $0.current } }

    /// Reports a failed operation: when the failure says the database could not be reached,
    /// and the client was not just replaced, a fresh client takes over.
    func operationFailed(_ error: any Error) {
        guard Self.isConnectionFailure(error) else { return }
        let due = state.withLock { state -> Bool in
            guard ContinuousClock.now - state.replacedAt >= Self.minimumInterval else { return false }
            state.replacedAt = .now
            return true
        }
        // The fresh client becomes current only as it starts running (``run()``).
        if due { start.yield((PostgresClient(configuration: configuration, backgroundLogger: logger), Latch())) }
    }

    /// Makes `client` the one queries use, and stops the one before it.
    private func promote(_ client: PostgresClient, stoppedBy stop: Latch) {
        let previous = state.withLock { state -> Latch? in
            guard state.current !== client else { return nil }
            let previous = state.stopCurrent
            state.current = client
            state.stopCurrent = stop
            return previous
        }
        previous?.open()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await (client, stop) in self.starts {
                    group.addTask {
                        await withTaskGroup(of: Void.self) { lifetime in
                            lifetime.addTask {
                                // PostgresClient.run() marks the client running before it first suspends.
                                self.promote(client, stoppedBy: stop)
                                self.started.open()
                                await client.run()
                            }
                            lifetime.addTask { await withTaskCancellationHandler { await stop.wait() } onCancel: { stop.open() } }
                            await lifetime.next()
                            lifetime.cancelAll()
                        }
                    }
                }
            }
        }
    }

    /// Timeouts, refused or dropped connections, and server errors of the classes that mean the
    /// database is not there to talk to (connection exception, invalid catalog such as a
    /// database renamed away, insufficient resources, operator intervention).
    static func isConnectionFailure(_ error: any Error) -> Bool {
        if error is StoreTimeout { return true }
        guard let error = error as? PSQLError else { return false }
        guard error.code == .server else { return error.code != .queryCancelled }
        let state = error.serverInfo?[.sqlState] ?? ""
        return ["08", "3D", "53", "57"].contains { state.hasPrefix($0) }
    }
}
