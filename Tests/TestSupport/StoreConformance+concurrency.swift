import Foundation
import SMSBotCore
public import SMSBotStorage
import Testing

/// Many messages at once: one number's first messages still see each other's history, and
/// the messages of many numbers (which the PostgreSQL store reads and writes in batches) each
/// get their own effects, neither lost nor mixed up.
extension StoreConformance {
    static let concurrencyChecks: [Check] = [
        Check(name: "concurrentFirstMessagesFromOneNumberAreHandledOneAtATime") { store, fixture in
        // No conversation yet: every message reads "none", and all but one must find a row when
        // they write. Half of them end the conversation again, so a row that is created and
        // ended between another message's read and write is exercised too.
        let seen = try await lockoutRace(of: 12, on: [store]) { $0.isMultiple(of: 2) }
        #expect(Set(seen) == Set((0..<12).map(String.init)), "each message saw the ones stored before it, and no two the same")
        #expect(try await fixture.count("lockouts") == 12)
        #expect(try await fixture.count("processed_messages") == 12)
        },
        Check(name: "messagesOfManyNumbersAtOnceEachGetTheirOwnEffects") { store, fixture in
        let policy = TestPolicies.auto.number
        let now = now
        let phones = (0..<40).map { PhoneNumber(e164: "+1555200\(String(format: "%04d", $0))")! }
        // Half the numbers have a conversation already (one wrong code each), half write their first message.
        for (index, phone) in phones.enumerated() where index.isMultiple(of: 2) {
            _ = try await store.processInbound(
                messageSID: MessageSID("SM-before-\(index)")!, message: IncomingMessage(from: phone, text: "x", receivedAt: now),
                subjects: [.policy(policy)]
            ) { _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], effects: [.recordFailedAttempt(subject: .policy(policy))]) }
        }
        let replies = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for (index, phone) in phones.enumerated() {
                group.addTask {
                    let outcome = try await store.processInbound(
                        messageSID: MessageSID("SM-\(index)")!, message: IncomingMessage(from: phone, text: "x", receivedAt: now),
                        subjects: [.policy(policy)]
                    ) { state, context in
                        InboundDecision(
                            state: index.isMultiple(of: 3) ? .new : .awaitingPolicyNumber,
                            replies: ["\(phone.e164) \(state == .new ? "new" : "ongoing") \(context.failedAttempts[.policy(policy)] ?? 0)"],
                            outbound: [OutboundSMS(kind: .text, to: phone, body: "for \(phone.e164)", notAfter: nil)],
                            effects: [.recordFailedAttempt(subject: .policy(policy)), .audit(.codeFailed(.policy(policy), attemptsLeft: index))])
                    }
                    return (index, outcome.replies)
                }
            }
            return try await group.reduce(into: [Int: [String]]()) { $0[$1.0] = $1.1 }
        }
        for (index, phone) in phones.enumerated() {
            let before = index.isMultiple(of: 2)
            #expect(replies[index] == ["\(phone.e164) \(before ? "ongoing" : "new") \(before ? 1 : 0)"], "\(phone.e164)")
        }
        #expect(try await fixture.count("processed_messages") == 60)
        #expect(try await fixture.count("outbox", where: "body = 'for ' || to_phone AND requester_phone = to_phone") == 40)
        #expect(try await fixture.count("outbox") == 40)
        #expect(try await fixture.count("verification_failures", where: "failures = 2") == 20)
        #expect(try await fixture.count("verification_failures", where: "failures = 1") == 20)
        #expect(try await fixture.count("audit_events") == 40)
        #expect(try await fixture.count("conversations", where: "length(state) > 0") == phones.indices.count { !$0.isMultiple(of: 3) })
        // Each audit row is its own number's message's.
        for (index, phone) in phones.enumerated() {
            #expect(try await fixture.count("audit_events", where: "phone_masked = '\(phone.masked)' AND detail = 'attempts_left=\(index)'") == 1)
        }
        },
    ]

    /// Sends `count` messages from ``phone`` at once, message `i` to `stores[i % stores.count]`:
    /// each records a lockout and replies with how many it saw, and ends the conversation when
    /// `ending(i)`. Their replies, in no order: `0..<count` when each saw the ones stored before it.
    public static func lockoutRace(
        of count: Int, on stores: [any SMSBotStore], ending: @escaping @Sendable (Int) -> Bool = { _ in false }
    ) async throws -> [String] {
        let (phone, now, policy) = (phone, now, TestPolicies.auto.number)
        return try await withThrowingTaskGroup(of: [String].self) { group in
            for index in 0..<count {
                let store = stores[index % stores.count]
                group.addTask {
                    try await store.processInbound(
                        messageSID: MessageSID("SM\(index)")!, message: IncomingMessage(from: phone, text: "x", receivedAt: now),
                        subjects: [.policy(policy)]
                    ) { _, context in
                        // Each sees every lockout the ones stored before it recorded.
                        InboundDecision(
                            state: ending(index) ? .new : .awaitingPolicyNumber, replies: ["\(context.lockouts.count)"],
                            effects: [.recordLockout(subject: .policy(policy), until: now + 60)])
                    }.replies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }
}
