import Foundation
import Logging
import SMSBotCore
import SMSBotStorage
import Synchronization
import TestSupport
import TwilioKit
import Testing

@testable import SMSBotApp
@testable import SMSBotSQLite

/// The outbox worker against a real SQLite store whose result writes fail for a while.
@Suite(.timeLimit(.minutes(3))) struct OutboxWorkerTests {
    /// Passes everything to `base`, but fails the first `failures` result writes.
    final class FlakyResults: OutboxStore {
        let base: any OutboxStore
        private let failuresLeft: Mutex<Int>

        init(base: any OutboxStore, failures: Int) {
            self.base = base
            self.failuresLeft = Mutex(failures)
        }

        struct WriteFailed: Error {}

        func claimDueOutbound(at now: Date, limit: Int, lease: TimeInterval) async throws -> [OutboxMessage] {
            try await base.claimDueOutbound(at: now, limit: limit, lease: lease)
        }

        func completeOutbound(id: Int64, result: OutboxResult, at now: Date) async throws {
            let fails = failuresLeft.withLock { left in
                defer { left -= 1 }
                return left > 0
            }
            if fails { throw WriteFailed() }
            try await base.completeOutbound(id: id, result: result, at: now)
        }

        func outboxDepth() async throws -> Int { try await base.outboxDepth() }

        func recordDeliveryStatus(providerID: String, status: DeliveryStatus, at now: Date) async throws -> Bool {
            try await base.recordDeliveryStatus(providerID: providerID, status: status, at: now)
        }
    }

    @Test func aResultThatCannotBeWrittenIsWrittenOnRetryAndTheSMSIsNotSentTwice() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        let store = try await SQLiteStore.migrated(path: path)
        let phone = PhoneNumber(e164: "+15551230001")!
        _ = try await store.processInbound(
            messageSID: MessageSID("SM1")!, message: IncomingMessage(from: phone, text: "x", receivedAt: Date()), subjects: []
        ) { _, _ in
            InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: [OutboundSMS(kind: .text, to: phone, body: "hello")])
        }
        let sender = RecordingSender()
        let worker = OutboxWorker(
            store: FlakyResults(base: store, failures: 3), sender: sender, sendTimeout: 1, metrics: AppMetrics(), now: Date.init,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        await worker.deliverDue()
        #expect(sender.messages.count == 1)
        #expect(try countRows(in: "outbox WHERE status = 'sent'", ofDatabaseAt: path) == 1)
        // Later rounds find nothing to send: the SMS is not taken over as abandoned.
        await worker.deliverDue()
        #expect(sender.messages.count == 1)
    }
}
