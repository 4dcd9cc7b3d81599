import Foundation
import SMSBotCore
import Testing

/// SPEC §4 "Guessing limits": failures are counted per (texter, policy) across codes, one texter
/// reaches few policies a day, and no reply tells a known policy from an unknown one.
@Suite struct GuessingLimitsTests {
    /// A wrong code for `chat`'s pending code (never the right one).
    private func wrongCode(_ chat: Conversation) -> String {
        chat.lastCode == "000000" ? "111111" : "000000"
    }

    @Test(arguments: ["RESEND", "AUTO-1001", "LOGOUT", "STOP", "expiry"])
    func failuresSurviveANewCode(between: String) throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        for left in [4, 3] {
            #expect(chat.send(wrongCode(chat)).replies == [.wrongCode(attemptsLeft: left)])
        }
        chat.wait(31)
        switch between {
        case "LOGOUT":
            chat.send("LOGOUT")
            chat.send("AUTO-1001")
        case "STOP":
            chat.send("STOP")
            chat.send("START")
            chat.send("AUTO-1001")
        case "expiry":
            chat.wait(300)
            #expect(chat.send(wrongCode(chat)).replies == [.codeExpired])
            chat.send("RESEND")
        default:
            #expect(chat.send(between).replies == [.codeSent(minutes: 5, firstContact: false)])
        }
        #expect(chat.inbox[Fixtures.customer]?.count == 2, "a second code was sent")
        #expect(chat.send(wrongCode(chat)).replies == [.wrongCode(attemptsLeft: 2)])
        #expect(chat.send(wrongCode(chat)).replies == [.wrongCode(attemptsLeft: 1)])
        #expect(chat.send(wrongCode(chat)).replies == [.locked(minutes: 15)])
    }

    @Test func onlyASuccessResetsTheFailures() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        chat.send(wrongCode(chat))
        chat.send(wrongCode(chat))
        chat.send(try #require(chat.lastCode))
        #expect(chat.isVerified && chat.failures.isEmpty)
        chat.send("LOGOUT")
        chat.send("AUTO-1001")
        #expect(chat.send(wrongCode(chat)).replies == [.wrongCode(attemptsLeft: 4)])
    }

    @Test func aLockoutStartsTheNextRoundAfreshButEscalates() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        for _ in 1...5 { chat.send(wrongCode(chat)) }
        #expect(chat.failures.isEmpty && chat.lockouts.count == 1)
        chat.wait(901)
        chat.send("AUTO-1001")
        #expect(chat.send(wrongCode(chat)).replies == [.wrongCode(attemptsLeft: 4)])
    }

    @Test func thePolicyNumberAgainWhilePendingIsAResend() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        chat.wait(10)
        #expect(chat.send("auto 1001").replies == [.resendCooldown(seconds: 20)])
        #expect(chat.inbox[Fixtures.customer]?.count == 1)
        chat.wait(20)
        #expect(chat.send("premium for AUTO-1001 please").replies == [.codeSent(minutes: 5, firstContact: false)])
        #expect(chat.inbox[Fixtures.customer]?.count == 2)
        #expect(chat.send(try #require(chat.lastCode)).replies == [.answer(.premium, Fixtures.policy(Fixtures.auto), justVerified: true)])
    }

    @Test func aFourthPolicyInADayGetsTheUsualReplyAndNoSMS() throws {
        let numbers = ["AUTO-1001", "HOME-2002", "LIFE-3003", "BOAT-4004"].map { PolicyNumber($0)! }
        var chat = Conversation()
        // Four policyholders with other phones: a texter trying to flood them with codes.
        chat.policies = Dictionary(
            uniqueKeysWithValues: numbers.enumerated().map { index, number in
                (number, Fixtures.policy(number, phone: PhoneNumber(e164: "+1555888000\(index)")!))
            })
        for number in numbers {
            #expect(chat.send(number.canonical).replies == [.codeSent(minutes: 5, firstContact: number == numbers[0])])
            chat.wait(60)
        }
        #expect(chat.inbox.count == 3, "the fourth policyholder got a code")
        #expect(chat.audit.contains(.codeWithheld(.policy(numbers[3]))))
        // Back to one of today's three: codes flow again.
        chat.send(numbers[0].canonical)
        #expect(chat.inbox.values.map(\.count).reduce(0, +) == 4)
        // A day later the spread starts over.
        chat.wait(24 * 3600)
        chat.send(numbers[3].canonical)
        #expect(chat.inbox[PhoneNumber(e164: "+15558880003")!]?.count == 1)
    }

    @Test func aPhoneOnFileAtItsCapLooksLikeAnUnknownPolicy() throws {
        // Other texters already had five codes sent to the policyholder's phone this hour.
        var known = Conversation()
        known.phone = Fixtures.stranger
        known.sentByOthers = (0..<5).map { (Fixtures.customer, known.now - Double($0) * 60) }
        var unknown = Conversation()
        unknown.phone = Fixtures.stranger
        let script = ["hi", "NUM-1001", "123456", "RESEND", "NUM-1001", "654321"]
        var knownReplies: [[Reply]] = []
        var unknownReplies: [[Reply]] = []
        known.policies = [PolicyNumber("NUM-1001")!: Fixtures.policy(PolicyNumber("NUM-1001")!)]
        for text in script {
            knownReplies.append(known.send(text).replies)
            unknownReplies.append(unknown.send(text).replies)
            known.wait(31)
            unknown.wait(31)
        }
        #expect(knownReplies == unknownReplies)
        #expect(known.inbox.isEmpty && unknown.inbox.isEmpty)
    }

    @Test func tooManyCodesFollowsTheTextersOwnRequestsAlikeForKnownAndUnknownPolicies() {
        var known = Conversation()
        var unknown = Conversation()
        var replies: ([[Reply]], [[Reply]]) = ([], [])
        for _ in 1...6 {
            replies.0.append(known.send("AUTO-1001").replies)
            replies.1.append(unknown.send("AUTO-9999").replies)
            known.wait(31)
            unknown.wait(31)
        }
        #expect(replies.0 == replies.1)
        #expect(replies.0.last == [.tooManyCodes])
        #expect(known.inbox[Fixtures.customer]?.count == 5)
    }
}
