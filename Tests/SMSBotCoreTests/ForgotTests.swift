import Foundation
import SMSBotCore
import Testing

/// SPEC §4 step 2b: `FORGOT` sends a code to the texting number itself, only if it is on file,
/// with the same reply either way; verified so, the texter holds every policy on file for it.
@Suite struct ForgotTests {
    private static let boat = PolicyNumber("BOAT-3003")!

    /// A texter who holds AUTO-1001 and HOME-2002, next to a stranger's policy.
    private func chatWithTwoPolicies() -> Conversation {
        var chat = Conversation()
        chat.policies[Fixtures.home] = Fixtures.policy(Fixtures.home)
        chat.policies[Self.boat] = Fixtures.policy(Self.boat, phone: Fixtures.stranger)
        return chat
    }

    private func wrongCode(_ chat: Conversation) -> String {
        chat.lastCode == "000000" ? "111111" : "000000"
    }

    @Test func aCodeGoesToTheTextingNumberAndOnePolicyGivesItsMenu() throws {
        var chat = Conversation()
        let sent = chat.send("forgot")
        #expect(sent.replies == [.forgotCodeSent(minutes: 5, firstContact: true)])
        let subject = CodeSubject.phoneOnFile(Fixtures.customer)
        guard case .sendCode(_, let to, subject, _) = sent.effects.first else { throw Unexpected() }
        #expect(to == Fixtures.customer)
        #expect(chat.inbox.keys.sorted { $0.e164 < $1.e164 } == [Fixtures.customer], "nothing goes anywhere else")
        let verified = chat.send(try #require(chat.lastCode))
        #expect(verified.replies == [.menu(Fixtures.policy(Fixtures.auto), justVerified: true, understood: true)])
        #expect(chat.state == .verified(VerifiedSession(policy: Fixtures.auto, byPhone: true, lastActivity: chat.now)))
        #expect(chat.audit == [.codeSent(subject), .verified(subject)])
        #expect(chat.send("2").replies == [.answer(.premium, Fixtures.policy(Fixtures.auto), justVerified: false)])
    }

    @Test func aNumberOnFileForNothingHearsTheSameAndNothingIsSent() throws {
        var known = Conversation()
        var unknown = Conversation()
        unknown.phone = Fixtures.stranger
        let knownReply = known.send("FORGOT")
        let unknownReply = unknown.send("FORGOT")
        #expect(unknownReply.replies == knownReply.replies)
        #expect(unknown.inbox.isEmpty)
        #expect(unknown.audit == [.unknownPolicyRequested(.phoneOnFile(Fixtures.stranger))])
        guard case .codePending = unknown.state else { throw Unexpected() }
        // Whatever is entered is wrong, and counted like any wrong code.
        #expect(unknown.send("123456").replies == [.wrongCode(attemptsLeft: 4)])
        #expect(unknown.failures == [.phoneOnFile(Fixtures.stranger): 1])
    }

    @Test func aRequestSentJustBeforeIsAnsweredRightAfterTheCode() throws {
        var chat = Conversation()
        #expect(chat.send("PREMIUM").replies == [.greeting])
        #expect(chat.state == .rememberingRequest(.premium))
        chat.send("FORGOT")
        let verified = chat.send(try #require(chat.lastCode))
        #expect(verified.replies == [.answer(.premium, Fixtures.policy(Fixtures.auto), justVerified: true)])
    }

    @Test func withSeveralPoliciesTheRememberedRequestWaitsForThePick() throws {
        var chat = chatWithTwoPolicies()
        let auto = Fixtures.policy(Fixtures.auto)
        let home = Fixtures.policy(Fixtures.home)
        chat.send("claims?")
        chat.send("FORGOT")
        #expect(chat.send(try #require(chat.lastCode)).replies == [.policyList([auto, home], justVerified: true, understood: true)])
        #expect(chat.send("b").replies == [.answer(.claims, home, justVerified: false)])
        #expect(chat.send("MENU").replies == [.policyList([auto, home], justVerified: false, understood: true)])
        #expect(chat.send("a").replies == [.menu(auto, justVerified: false, understood: true)], "answered once")

        var byName = chatWithTwoPolicies()
        byName.send("PREMIUM")
        byName.send("FORGOT")
        byName.send(try #require(byName.lastCode))
        #expect(byName.send("home-2002").replies == [.answer(.premium, home, justVerified: false)])
        #expect(byName.send("auto-1001 status").replies == [.answer(.status, auto, justVerified: false)])
    }

    @Test func aRememberedRequestAlsoWaitsForAPolicyNumber() throws {
        var chat = Conversation()
        chat.send("hi")
        #expect(chat.send("what are my claims").replies == [.askPolicyNumber])
        chat.send("AUTO-1001")
        #expect(chat.send(try #require(chat.lastCode)).replies == [.answer(.claims, Fixtures.policy(Fixtures.auto), justVerified: true)])
    }

    @Test func severalPoliciesAreListedPickedByLetterOrNumberAndSwitchedWithoutANewCode() throws {
        var chat = chatWithTwoPolicies()
        let auto = Fixtures.policy(Fixtures.auto)
        let home = Fixtures.policy(Fixtures.home)
        chat.send("FORGOT")
        #expect(chat.send(try #require(chat.lastCode)).replies == [.policyList([auto, home], justVerified: true, understood: true)])
        #expect(chat.state == .verified(VerifiedSession(policy: nil, byPhone: true, lastActivity: chat.now)))
        #expect(chat.send("PREMIUM").replies == [.policyList([auto, home], justVerified: false, understood: false)], "pick first")
        #expect(chat.send(" b ").replies == [.menu(home, justVerified: false, understood: true)])
        #expect(chat.send("2").replies == [.answer(.premium, home, justVerified: false)])
        let switched = chat.send("status of auto 1001")
        #expect(switched.replies == [.answer(.status, auto, justVerified: false)])
        #expect(switched.effects.isEmpty, "no new code")
        #expect(chat.send("4").replies == [.answer(.claims, auto, justVerified: false)])
        #expect(chat.send("HOME-2002").replies == [.menu(home, justVerified: false, understood: true)], "naming it is understood")
        #expect(chat.send("MENU").replies == [.policyList([auto, home], justVerified: false, understood: true)])
        #expect(chat.send("C").replies == [.policyList([auto, home], justVerified: false, understood: false)], "no policy C")
        #expect(chat.send("A").replies == [.menu(auto, justVerified: false, understood: true)])
        #expect(chat.send("FORGOT").replies == [.policyList([auto, home], justVerified: false, understood: true)])
        #expect(chat.inbox[Fixtures.customer]?.count == 1, "one code for everything")
    }

    @Test func anotherPhonesPolicyNeedsItsOwnCodeAndSoundsLikeAnUnknownOne() throws {
        var chat = chatWithTwoPolicies()
        chat.send("FORGOT")
        chat.send(try #require(chat.lastCode))
        let theirs = chat.send("BOAT-3003")
        #expect(theirs.replies == [.codeSent(minutes: 5, firstContact: false)])
        guard case .codePending(let pending) = chat.state else { throw Unexpected() }
        #expect(pending.subject == .policy(Self.boat))
        #expect(chat.inbox[Fixtures.stranger]?.count == 1, "to the phone on file for that policy")
        var other = chatWithTwoPolicies()
        other.send("FORGOT")
        other.send(try #require(other.lastCode))
        #expect(other.send("BOAT-9999").replies == theirs.replies)
    }

    @Test func aPolicyMovedToAnotherPhoneLeavesTheList() throws {
        var three = chatWithTwoPolicies()
        three.policies[Self.boat] = Fixtures.policy(Self.boat)
        three.send("FORGOT")
        three.send(try #require(three.lastCode))
        three.send("B")  // BOAT3003, between AUTO1001 and HOME2002
        three.policies[Self.boat] = Fixtures.policy(Self.boat, phone: Fixtures.stranger)
        let left = [Fixtures.policy(Fixtures.auto), Fixtures.policy(Fixtures.home)]
        #expect(three.send("STATUS").replies == [.policyList(left, justVerified: false, understood: false)])

        var chat = chatWithTwoPolicies()
        chat.send("FORGOT")
        chat.send(try #require(chat.lastCode))
        chat.send("B")
        chat.policies[Fixtures.home] = Fixtures.policy(Fixtures.home, phone: Fixtures.stranger)
        let auto = Fixtures.policy(Fixtures.auto)
        #expect(chat.send("2").replies == [.menu(auto, justVerified: false, understood: false)], "not another policy's premium")
        #expect(chat.send("2").replies == [.answer(.premium, auto, justVerified: false)])
        #expect(chat.send("HOME-2002").replies == [.codeSent(minutes: 5, firstContact: false)], "no longer theirs")
        chat.policies[Fixtures.auto] = nil
        chat.policies[Fixtures.home] = nil
        chat.state = .verified(VerifiedSession(policy: Fixtures.auto, byPhone: true, lastActivity: chat.now))
        #expect(chat.send("2").replies == [.askPolicyNumber])
    }

    @Test func forgotAgainWhilePendingIsAResendWithItsCooldown() throws {
        var chat = Conversation()
        chat.send("FORGOT")
        #expect(chat.send("FORGOT").replies == [.resendCooldown(seconds: 30)])
        chat.wait(30)
        #expect(chat.send("FORGOT").replies == [.forgotCodeSent(minutes: 5, firstContact: false)])
        chat.wait(30)
        #expect(chat.send("RESEND").replies == [.forgotCodeSent(minutes: 5, firstContact: false)])
        #expect(chat.inbox[Fixtures.customer]?.count == 3)
    }

    @Test func failuresCountAcrossForgotCodesAndLockItOut() throws {
        var chat = Conversation()
        let subject = CodeSubject.phoneOnFile(Fixtures.customer)
        chat.send("FORGOT")
        chat.send(wrongCode(chat))
        chat.send(wrongCode(chat))
        chat.wait(31)
        chat.send("FORGOT")
        #expect(chat.send(wrongCode(chat)).replies == [.wrongCode(attemptsLeft: 2)])
        chat.send(wrongCode(chat))
        #expect(chat.send(wrongCode(chat)).replies == [.locked(minutes: 15)])
        #expect(chat.lockouts.map(\.subject) == [subject])
        #expect(chat.audit.contains(.locked(subject, until: chat.now + 900)))
        #expect(chat.send("FORGOT").replies == [.locked(minutes: 15)])
        #expect(chat.send(try #require(chat.lastCode)).replies == [.locked(minutes: 15)], "even the right code")
        chat.wait(901)
        chat.send("FORGOT")
        chat.send(try #require(chat.lastCode))
        #expect(chat.isVerified)
        #expect(chat.failures.isEmpty)
    }

    @Test func forgotIsOneSubjectOfTheTextersDailyThree() throws {
        var chat = chatWithTwoPolicies()
        chat.send("AUTO-1001")
        chat.send("HOME-2002")
        chat.send("FORGOT")
        #expect(chat.inbox[Fixtures.customer]?.count == 3)
        let fourth = chat.send("BOAT-3003")
        #expect(fourth.replies == [.codeSent(minutes: 5, firstContact: false)])
        #expect(chat.inbox[Fixtures.stranger] == nil, "held back silently")
        #expect(chat.audit.last == .codeWithheld(.policy(Self.boat)))

        var late = chatWithTwoPolicies()
        late.send("AUTO-1001")
        late.send("HOME-2002")
        late.send("BOAT-3003")
        #expect(late.send("FORGOT").replies == [.forgotCodeSent(minutes: 5, firstContact: false)])
        #expect(late.inbox[Fixtures.customer]?.count == 2, "the fourth subject: nothing sent")
        #expect(late.audit.last == .codeWithheld(.phoneOnFile(Fixtures.customer)))
    }

    @Test func codesToThePhoneByAnyRouteCountTowardsItsHourlyCap() throws {
        var chat = Conversation()
        chat.sentByOthers = Array(repeating: (Fixtures.customer, chat.now), count: 5)
        #expect(chat.send("FORGOT").replies == [.forgotCodeSent(minutes: 5, firstContact: true)])
        #expect(chat.inbox.isEmpty)
        #expect(chat.audit == [.codeWithheld(.phoneOnFile(Fixtures.customer))])
    }

    @Test func theTextersOwnHourlyCapIsToldOutLoud() throws {
        var chat = Conversation()
        for _ in 1...5 {
            chat.send("FORGOT")
            chat.wait(31)
        }
        #expect(chat.send("FORGOT").replies == [.tooManyCodes])
    }

    @Test func forgotIsIgnoredWhileOptedOut() {
        var chat = Conversation()
        chat.send("STOP")
        #expect(chat.send("FORGOT").replies.isEmpty)
        #expect(chat.inbox.isEmpty)
    }

    struct Unexpected: Error {}
}
