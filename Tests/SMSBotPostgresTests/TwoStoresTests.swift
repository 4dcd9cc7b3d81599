import Foundation
import SMSBotCore
import SMSBotStorage
import TestSupport
import Testing

/// Two stores on one database, as two instances are: one store batches a number's messages one
/// after another, so only another instance makes them race for the conversation row, and only
/// the conditional write (``StoreDecision``) keeps them apart.
@Suite(.timeLimit(.minutes(3))) struct TwoStoresTests {
    static let phone = PhoneNumber(e164: "+15551230001")!
    static let policy = PolicyNumber("AUTO-1001")!
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    /// Twelve messages of one number at once, alternately to each store, from no conversation or
    /// from an ongoing one; half of them end the conversation, so a row is created and ended
    /// between other messages' reads and writes. Each must see a different history.
    @Test(arguments: [false, true])
    func oneNumbersMessagesOnTwoInstancesEachSeeTheOnesBefore(ongoing: Bool) async throws {
        let fixture = try await StoreFixture.make(.postgres)
        do {
            try await fixture.withStore { first in
                try await fixture.withStore { second in
                    if ongoing { _ = try await Self.send("SM-first", to: first, ending: false) }
                    let seen = try await withThrowingTaskGroup(of: [String].self) { group in
                        for index in 0..<12 {
                            let store = index.isMultiple(of: 2) ? first : second
                            group.addTask { try await Self.send("SM\(index)", to: store, ending: index % 4 < 2) }
                        }
                        return try await group.reduce(into: []) { $0 += $1 }
                    }
                    let before = ongoing ? 1 : 0
                    #expect(Set(seen) == Set((before..<before + 12).map(String.init)), "each saw the ones stored before it, no two the same")
                }
            }
            #expect(try await fixture.count("lockouts") == (ongoing ? 13 : 12))
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }

    /// A message that records a lockout and replies with how many it saw before.
    static func send(_ sid: String, to store: any SMSBotStore, ending: Bool) async throws -> [String] {
        try await store.processInbound(
            messageSID: MessageSID(sid)!, message: IncomingMessage(from: phone, text: "x", receivedAt: now), mentionedPolicies: [policy]
        ) { _, context in
            InboundDecision(
                state: ending ? .new : .awaitingPolicyNumber, replies: ["\(context.lockouts.count)"],
                effects: [.recordLockout(policy: policy, until: now + 60)])
        }.replies
    }
}
