import Foundation
import Synchronization
import Testing

@testable import SMSBotPostgres

/// `withDeadline` answers in time even when the operation ignores cancellation.
@Suite struct DeadlineTests {
    struct Refused: Error {}

    @Test func theOperationsResultAndErrorComeThrough() async throws {
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        await #expect(throws: Refused.self) { try await withDeadline(.seconds(5)) { () async throws -> Int in throw Refused() } }
    }

    @Test func anOperationDeafToCancellationIsCutOffAtTheDeadline() async throws {
        let released = Mutex(false)
        let started = ContinuousClock.now
        await #expect(throws: StoreTimeout.self) {
            try await withDeadline(.milliseconds(200)) { () async -> Int in
                // Like a query on a hung connection: it neither finishes nor notices cancellation.
                while !released.withLock({ $0 }) {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return 1
            }
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        released.withLock { $0 = true }
    }
}
