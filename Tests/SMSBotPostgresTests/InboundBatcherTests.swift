import Foundation
import SMSBotCore
import SMSBotStorage
import Synchronization
import Testing

@testable import SMSBotPostgres

/// The batcher alone, with a handler that takes its time instead of a database.
@Suite(.timeLimit(.minutes(1))) struct InboundBatcherTests {
    /// What the handler saw.
    final class Log: Sendable {
        struct State {
            var running: [[String]] = []
            var batches: [[String]] = []
            var mostRunning = 0
            var overlaps: [String] = []
        }
        let state = Mutex(State())
    }

    static func job(_ sid: String, from phone: String) -> InboundBatcher.Job {
        InboundBatcher.Job(
            request: PostgresStore.InboundRequest(
                messageSID: MessageSID(sid)!, phone: PhoneNumber(e164: phone)!, subjects: [], now: Date(timeIntervalSince1970: 0)),
            decide: { state, _ in InboundDecision(state: state, replies: []) })
    }

    /// A batcher whose handler records each batch, waits 5 ms, and answers each job with its SID.
    static func batcher(logging log: Log) -> InboundBatcher {
        InboundBatcher { jobs in
            let phones = jobs.map(\.request.phone.e164)
            log.state.withLock { state in
                let busy = Set(state.running.joined())
                state.overlaps += phones.filter(busy.contains)
                state.running.append(phones)
                state.batches.append(phones)
                state.mostRunning = max(state.mostRunning, state.running.count)
            }
            try? await Task.sleep(for: .milliseconds(5))
            log.state.withLock { state in state.running.removeAll { $0 == phones } }
            return jobs.map { .success(.handled(replies: [$0.request.messageSID.rawValue])) }
        }
    }

    @Test func messagesThatArriveTogetherShareBatchesAndEachGetsItsOwnOutcome() async throws {
        let log = Log()
        let batcher = Self.batcher(logging: log)
        let phones = (0..<10).map { "+1555300\(String(format: "%04d", $0))" }
        // Three messages from each of ten numbers, all at once.
        let outcomes = try await withThrowingTaskGroup(of: (String, InboundOutcome?).self) { group in
            for round in 0..<3 {
                for phone in phones {
                    let sid = "SM\(round)x\(phone.dropFirst())"
                    group.addTask { (sid, try await batcher.submit(Self.job(sid, from: phone))) }
                }
            }
            return try await group.reduce(into: [String: InboundOutcome?]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 30)
        for (sid, outcome) in outcomes { #expect(outcome == .handled(replies: [sid])) }
        let state = log.state.withLock { $0 }
        #expect(state.batches.joined().count == 30)
        #expect(state.batches.count < 30, "messages waiting together went in one batch")
        #expect(state.batches.allSatisfy { Set($0).count == $0.count }, "a number at most once per batch")
        #expect(state.overlaps == [], "a number in at most one running batch")
        #expect(state.mostRunning <= InboundBatcher.maxRunning)
    }

    @Test func aHandlerThatAnswersForFewerJobsLeavesTheRestToBeHandledAlone() async throws {
        let batcher = InboundBatcher { jobs in [.success(.handled(replies: ["first"]))].prefix(jobs.count).map { $0 } }
        let outcome = try await batcher.submit(Self.job("SM1", from: "+15553000001"))
        #expect(outcome == .handled(replies: ["first"]))
        let blocked = InboundBatcher { _ in [] }
        #expect(try await blocked.submit(Self.job("SM2", from: "+15553000002")) == nil)
    }

    @Test func aFailedBatchFailsItsMessages() async throws {
        struct Down: Error {}
        let batcher = InboundBatcher { jobs in jobs.map { _ in .failure(Down()) } }
        await #expect(throws: Down.self) { try await batcher.submit(Self.job("SM1", from: "+15553000001")) }
        // …and the batcher goes on: the next message gets a batch of its own.
        await #expect(throws: Down.self) { try await batcher.submit(Self.job("SM2", from: "+15553000001")) }
    }
}
