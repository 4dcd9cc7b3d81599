import Foundation
import Logging
import ServiceLifecycle
import SMSBotStorage

/// Purges, every minute, what SPEC §5 says is kept no longer: replies after 15 minutes,
/// message ids after 48 hours, idle conversations after 30 days, stale codes and lockouts.
struct MaintenanceService: Service {
    let store: any StoreMaintenance
    let now: @Sendable () -> Date
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await store.purge(at: now())
                    if purged > 0 { logger.debug("purged expired records", metadata: ["rows": "\(purged)"]) }
                } catch {
                    if Task.isCancelled { return }  // shutting down: the purge was cut off, it did not fail
                    logger.error("purge failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
