import Foundation
import SMSBotCore
import Testing

@Suite struct ConversationEngineTests {
    @Test func happyPathFromFirstTextToAnAnswer() throws {
        var chat = Conversation()
        #expect(chat.send("Hi").replies == [.greeting])
        #expect(chat.state == .awaitingPolicyNumber)

        let request = chat.send("my policy is auto-1001")
        #expect(request.replies == [.codeSent(minutes: 5, firstContact: false)])
        let code = try #require(chat.lastCode)
        #expect(code.count == 6 && code.allSatisfy(\.isNumber))
        guard case .sendCode(_, let to, let policy, let expiresAt) = request.effects.first else {
            Issue.record("expected a code to be sent")
            return
        }
        #expect(to == Fixtures.customer && policy == .policy(Fixtures.auto) && expiresAt == chat.now + 300)
        guard case .codePending(let pending) = chat.state else {
            Issue.record("expected a pending code")
            return
        }
        #expect(!pending.codeHash.isEmpty && pending.codeHash != Data(code.utf8))

        let verified = chat.send(code)
        #expect(verified.replies == [.menu(Fixtures.policy(Fixtures.auto), justVerified: true, understood: true)])
        #expect(verified.effects == [.clearFailedAttempts(subject: .policy(Fixtures.auto)), .audit(.verified(.policy(Fixtures.auto)))])
        #expect(chat.send("2").replies == [.answer(.premium, Fixtures.policy(Fixtures.auto), justVerified: false)])
        #expect(chat.send("any open claims?").replies == [.answer(.claims, Fixtures.policy(Fixtures.auto), justVerified: false)])
        #expect(chat.send("what?").replies == [.menu(Fixtures.policy(Fixtures.auto), justVerified: false, understood: false)])
        #expect(chat.send("AUTO-1001").replies == [.menu(Fixtures.policy(Fixtures.auto), justVerified: false, understood: true)])
        #expect(chat.audit == [.codeSent(.policy(Fixtures.auto)), .verified(.policy(Fixtures.auto))])
    }

    @Test func aCodeWithSpacesBetweenDigitsIsAccepted() throws {
        var chat = Conversation()
        chat.send("AUTO1001")
        let code = try #require(chat.lastCode)
        chat.send(code.map(String.init).joined(separator: " "))
        #expect(chat.isVerified)
    }

    @Test func firstContactWithAPolicyNumberSaysSo() {
        var chat = Conversation()
        #expect(chat.send("AUTO 1001").replies == [.codeSent(minutes: 5, firstContact: true)])
    }

    @Test func anUnknownPolicyGetsExactlyTheSameRepliesAndNoSMS() {
        var known = Conversation()
        var unknown = Conversation()
        let knownReplies = ["AUTO-1001", "111111", "222222", "RESEND", "hello"].map { text -> [Reply] in
            defer { known.wait(31) }
            return known.send(text).replies
        }
        let unknownReplies = ["AUTO-9999", "111111", "222222", "RESEND", "hello"].map { text -> [Reply] in
            defer { unknown.wait(31) }
            return unknown.send(text).replies
        }
        #expect(knownReplies == unknownReplies)
        #expect(unknown.inbox.isEmpty)
        #expect(unknown.audit.first == .unknownPolicyRequested(.policy(PolicyNumber("AUTO9999")!)))
    }

    @Test func aWrongCodeSaysHowManyAttemptsAreLeft() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        let code = try #require(chat.lastCode)
        let wrong = code == "000000" ? "111111" : "000000"
        #expect(chat.send(wrong).replies == [.wrongCode(attemptsLeft: 4)])
        #expect(chat.send(wrong).replies == [.wrongCode(attemptsLeft: 3)])
        chat.send(code)
        #expect(chat.isVerified)
        #expect(chat.audit.contains(.codeFailed(.policy(Fixtures.auto), attemptsLeft: 3)))
    }

    @Test func fiveWrongCodesLockThePolicyAndTheThirdLockoutLastsADay() throws {
        var chat = Conversation()
        for round in 1...3 {
            chat.send("AUTO-1001")
            let code = try #require(chat.lastCode)
            let wrong = code == "000000" ? "111111" : "000000"
            for _ in 1...4 { chat.send(wrong) }
            let locked = chat.send(wrong)
            let minutes = round < 3 ? 15 : 24 * 60
            #expect(locked.replies == [.locked(minutes: minutes)], "round \(round)")
            // The right code no longer works, nor does asking again for the same policy.
            #expect(chat.send(code).replies == [.locked(minutes: minutes)])
            #expect(chat.send("AUTO-1001").replies == [.locked(minutes: minutes)])
            #expect(chat.lastCode == code)
            chat.wait(15 * 60)
        }
        // Still locked a day later minus the 45 minutes spent: the third lock is for 24 hours.
        chat.wait(22 * 3600)
        #expect(chat.send("AUTO-1001").replies.first.map { if case .locked = $0 { true } else { false } } == true)
        chat.wait(2 * 3600)
        #expect(chat.send("AUTO-1001").replies == [.codeSent(minutes: 5, firstContact: false)])
    }

    @Test func logoutDoesNotLiftALockout() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        for _ in 1...5 { chat.send(chat.lastCode == "000000" ? "111111" : "000000") }
        chat.send("LOGOUT")
        #expect(chat.send("AUTO-1001").replies == [.locked(minutes: 15)])
        #expect(chat.inbox[Fixtures.customer]?.count == 1)
    }

    @Test func anotherPolicyIsNotLockedByTheFirstOnesLockout() throws {
        var chat = Conversation()
        chat.policies[Fixtures.home] = Fixtures.policy(Fixtures.home)
        chat.send("AUTO-1001")
        for _ in 1...5 { chat.send(chat.lastCode == "000000" ? "111111" : "000000") }
        #expect(chat.send("HOME-2002").replies == [.codeSent(minutes: 5, firstContact: false)])
    }

    @Test func anExpiredCodeIsRefusedAndResendIssuesANewOne() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        let old = try #require(chat.lastCode)
        chat.wait(301)
        #expect(chat.send(old).replies == [.codeExpired])
        #expect(!chat.isVerified)
        #expect(chat.send("RESEND").replies == [.codeSent(minutes: 5, firstContact: false)])
        let new = try #require(chat.lastCode)
        #expect(chat.inbox[Fixtures.customer]?.count == 2)
        if old != new {
            #expect(chat.send(old).replies == [.wrongCode(attemptsLeft: 4)])
        }
        chat.send(new)
        #expect(chat.isVerified)
    }

    @Test func resendRespectsTheCooldownAndTheHourlyCap() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        chat.wait(10)
        #expect(chat.send("resend").replies == [.resendCooldown(seconds: 20)])
        for _ in 2...5 {
            chat.wait(30)
            #expect(chat.send("RESEND").replies == [.codeSent(minutes: 5, firstContact: false)])
        }
        chat.wait(30)
        #expect(chat.send("RESEND").replies == [.tooManyCodes])
        #expect(chat.send("AUTO-1001").replies == [.tooManyCodes])
        #expect(chat.inbox[Fixtures.customer]?.count == 5)
        chat.wait(3600)
        #expect(chat.send("RESEND").replies == [.codeSent(minutes: 5, firstContact: false)])
    }

    @Test func resendWithoutAPendingCodeSaysSo() {
        var chat = Conversation()
        #expect(chat.send("RESEND").replies == [.noCodePending])
    }

    @Test func aNewCodeVoidsThePreviousOne() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        let first = try #require(chat.lastCode)
        chat.wait(31)
        chat.send("AUTO-1001")
        let second = try #require(chat.lastCode)
        try #require(first != second)
        #expect(chat.send(first).replies == [.wrongCode(attemptsLeft: 4)])
        chat.send(second)
        #expect(chat.isVerified)
    }

    @Test func aCodeCannotBeReusedAfterLogout() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        let code = try #require(chat.lastCode)
        chat.send(code)
        #expect(chat.send("LOGOUT").replies == [.loggedOut])
        #expect(chat.state == .new)
        chat.send(code)
        #expect(!chat.isVerified)
        #expect(chat.audit.contains(.loggedOut))
    }

    @Test func aCodeIssuedForPolicyAIsRejectedForPolicyB() throws {
        var chat = Conversation()
        chat.policies[Fixtures.home] = Fixtures.policy(Fixtures.home)
        chat.send("AUTO-1001")
        let codeForAuto = try #require(chat.lastCode)
        guard case .codePending(var pending) = chat.state else {
            Issue.record("expected a pending code")
            return
        }
        // Even with A's hash carried over, B's check fails: the HMAC binds the policy.
        pending.subject = .policy(Fixtures.home)
        chat.state = .codePending(pending)
        #expect(chat.send(codeForAuto).replies == [.wrongCode(attemptsLeft: 4)])
        #expect(!chat.engine.rules.hasher.matches(codeForAuto, hash: pending.codeHash, for: CodeBinding(requester: Fixtures.customer, subject: .policy(Fixtures.home))))
    }

    @Test func aCodeWorksOnlyForTheNumberItWasIssuedTo() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        let code = try #require(chat.lastCode)
        var thief = chat
        thief.phone = Fixtures.stranger
        thief.send(code)
        #expect(!thief.isVerified)
    }

    @Test func anIdleSessionEnds() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        chat.send(try #require(chat.lastCode))
        chat.wait(899)
        #expect(chat.send("STATUS").replies == [.answer(.status, Fixtures.policy(Fixtures.auto), justVerified: false)])
        chat.wait(901)
        #expect(chat.send("STATUS").replies == [.sessionExpired])
        #expect(chat.state == .rememberingRequest(.status), "asked again, answered once verified again")
        #expect(chat.send("MENU").replies == [.askPolicyNumber])
    }

    @Test func stopOptsOutThenNothingIsSentUntilStart() throws {
        var chat = Conversation()
        chat.send("AUTO-1001")
        let stop = chat.send("  stop ")
        #expect(stop.replies.isEmpty)
        #expect(stop.effects == [.setOptedOut(true), .audit(.optedOut)])
        #expect(chat.state == .new)
        let ignored = chat.send("AUTO-1001")
        #expect(ignored.replies.isEmpty && ignored.effects.isEmpty)
        #expect(chat.send("RESEND").replies.isEmpty)
        #expect(chat.inbox[Fixtures.customer]?.count == 1)
        let start = chat.send("START")
        #expect(start.replies == [.greeting])
        #expect(start.effects == [.setOptedOut(false), .audit(.optedIn)])
        chat.send("AUTO-1001")
        #expect(chat.inbox[Fixtures.customer]?.count == 2)
    }

    @Test(arguments: ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "OPTOUT", "revoke"])
    func everyStopWordOptsOut(word: String) {
        var chat = Conversation()
        #expect(chat.send(word).effects.contains(.setOptedOut(true)))
    }

    @Test func helpWorksInEveryStateWithoutChangingIt() throws {
        var chat = Conversation()
        #expect(chat.send("HELP").replies == [.help])
        chat.send("AUTO-1001")
        let pending = chat.state
        #expect(chat.send("info").replies == [.help])
        #expect(chat.state == pending)
        chat.send(try #require(chat.lastCode))
        let verified = chat.state
        #expect(chat.send("Help").replies == [.help])
        #expect(chat.state == verified)
        chat.send("STOP")
        #expect(chat.send("HELP").replies == [.help])
        var locked = Conversation()
        locked.send("AUTO-1001")
        for _ in 1...5 { locked.send(locked.lastCode == "000000" ? "111111" : "000000") }
        #expect(locked.send("HELP").replies == [.help])
    }

    @Test func aRequestAlongsideThePolicyNumberIsAnsweredRightAfterVerification() throws {
        var chat = Conversation()
        chat.send("premium AUTO-1001")
        let answer = chat.send(try #require(chat.lastCode))
        #expect(answer.replies == [.answer(.premium, Fixtures.policy(Fixtures.auto), justVerified: true)])
    }

    @Test func mediaGetsATextOnlyReplyInAnyState() throws {
        var chat = Conversation()
        #expect(chat.send("", media: 1).replies == [.mediaNotSupported])
        chat.send("AUTO-1001")
        let pending = chat.state
        #expect(chat.send("here is my code", media: 2).replies == [.mediaNotSupported])
        #expect(chat.state == pending)
    }

    @Test func menuBeforeVerificationAsksForThePolicyNumber() throws {
        var chat = Conversation()
        #expect(chat.send("MENU").replies == [.askPolicyNumber])
        chat.send("AUTO-1001")
        chat.send(try #require(chat.lastCode))
        #expect(chat.send("menu").replies == [.menu(Fixtures.policy(Fixtures.auto), justVerified: false, understood: true)])
    }

    @Test func noConfidentialReplyBeforeVerification() {
        var chat = Conversation()
        for text in ["hi", "status", "1", "AUTO-1001", "premium", "2", "MENU", "claims AUTO-1001", "000000", "RESEND", "HELP"] {
            chat.wait(40)
            let replies = chat.send(text).replies
            #expect(!replies.contains { $0.isConfidential }, "\(text)")
        }
    }
}
