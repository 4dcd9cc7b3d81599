import Foundation
import Synchronization

/// Wrong credentials per client address in a rolling minute (SPEC §7): past ``limit``, the
/// client is refused, even with a right credential, until the minute is over. Kept per
/// instance, in memory.
final class FailedCredentials: Sendable {
    /// Failures a client may have in a minute.
    static let limit = 20
    static let window: TimeInterval = 60

    private let failures = Mutex<[String: [Date]]>([:])

    /// Counts a wrong credential from `client`.
    func record(for client: String, at now: Date) {
        failures.withLock { failures in
            failures[client, default: []].append(now)
            if failures.count > 10_000 { Self.forgetOld(&failures, at: now) }
        }
    }

    /// Seconds until `client` may try again, or `nil` when it may now.
    func refusal(for client: String, at now: Date) -> Int? {
        failures.withLock { failures in
            let recent = failures[client, default: []].filter { now.timeIntervalSince($0) < Self.window }
            failures[client] = recent.isEmpty ? nil : recent
            guard recent.count >= Self.limit, let oldest = recent.first else { return nil }
            return max(1, Int((Self.window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    private static func forgetOld(_ failures: inout [String: [Date]], at now: Date) {
        failures = failures.compactMapValues { dates in
            let recent = dates.filter { now.timeIntervalSince($0) < window }
            return recent.isEmpty ? nil : recent
        }
    }
}
