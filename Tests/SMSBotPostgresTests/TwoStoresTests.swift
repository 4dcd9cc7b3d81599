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
                    if ongoing {
                        _ = try await first.processInbound(
                            messageSID: MessageSID("SM-first")!, message: IncomingMessage(from: Self.phone, text: "x", receivedAt: Self.now),
                            subjects: []
                        ) { _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: []) }
                    }
                    let seen = try await StoreConformance.lockoutRace(of: 12, on: [first, second]) { $0 % 4 < 2 }
                    #expect(Set(seen) == Set((0..<12).map(String.init)), "each message saw the ones stored before it, and no two the same")
                }
            }
            #expect(try await fixture.count("lockouts") == 12)
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }
}
