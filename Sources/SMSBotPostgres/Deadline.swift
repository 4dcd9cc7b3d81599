import NIOCore
import NIOPosix
import Synchronization

/// Runs `operation` and returns its result, or throws ``StoreTimeout`` after `limit` without
/// waiting for it: an operation stuck where cancellation does not reach (a connection that
/// hangs) is cancelled and left behind, and the caller answers in time all the same.
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = Outcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.start(continuation)
            let work = Task {
                do { outcome.finish(.success(try await operation())) } catch { outcome.finish(.failure(error)) }
            }
            // A NIO timer, not a sleeping task: a cancelled `Task.sleep` keeps its memory until its
            // deadline would have passed (seen on Linux), which at thousands of messages a second
            // grew the server by hundreds of bytes per message; a cancelled scheduled task is gone.
            let timer = NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: .nanoseconds(limit.nanoseconds)) {
                outcome.finish(.failure(StoreTimeout()))
            }
            // Whoever finishes first (the work, the timer, the caller's cancellation) stops the others.
            outcome.onFinish {
                timer.cancel()
                work.cancel()
            }
        }
    } onCancel: {
        outcome.finish(.failure(CancellationError()))
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}

/// The one result of a ``withDeadline(_:_:)`` race: the first to finish resumes the caller.
private final class Outcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var done = false
        var cleanup: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let alreadyDone = state.withLock { state -> Bool in
            if state.done { return true }
            state.cleanup = cleanup
            return false
        }
        if alreadyDone { cleanup() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, cleanup) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            guard let continuation = state.continuation else {
                state.early = result
                return (nil, state.cleanup)
            }
            state.continuation = nil
            return (continuation, state.cleanup)
        }
        continuation?.resume(with: result)
        cleanup?()
    }
}
