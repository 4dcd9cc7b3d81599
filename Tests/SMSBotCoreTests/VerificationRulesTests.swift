import Foundation
import SMSBotCore
import Testing

/// The OTP rules alone, as sequences of events and the decisions they get: no conversation,
/// no store, the clock and the random source in the test's hands.
@Suite struct VerificationRulesTests {
    let rules = VerificationRules(settings: VerificationSettings(), hasher: CodeHasher(key: Data(repeating: 9, count: 32)))
    let binding = CodeBinding(requester: "+15551230001", subject: "AUTO1001")
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    func issue(
        at now: Date, known: Bool = true, lockedUntil: Date? = nil, issued: Int = 0, seed: UInt64 = 1
    ) -> CodeRequestDecision {
        var random = SeededRandom(seed: seed)
        return rules.codeRequested(
            for: binding, destinationKnown: known, lockedUntil: lockedUntil, codesIssuedLastHour: issued, now: now, random: &random)
    }

    func issued(at now: Date, seed: UInt64 = 1) throws -> (challenge: CodeChallenge, code: String) {
        guard case .issue(let challenge, let code?) = issue(at: now, seed: seed) else { throw Refused() }
        return (challenge, code)
    }

    struct Refused: Error {}

    @Test func aCodeIsIssuedHashedAndApprovedOnce() throws {
        let (challenge, code) = try issued(at: start)
        #expect(code.count == 6 && code.allSatisfy(\.isNumber))
        #expect(challenge.expiresAt == start + 300 && challenge.attempts == 0)
        #expect(!challenge.codeHash.isEmpty && challenge.codeHash != Data(code.utf8))
        #expect(rules.codeEntered(code, against: challenge, for: binding, earlierLockouts: [], now: start + 10) == .approved)
    }

    @Test func theCodeIsBoundToItsRequesterAndSubject() throws {
        let (challenge, code) = try issued(at: start)
        let otherRequester = CodeBinding(requester: "+15559990000", subject: binding.subject)
        let otherSubject = CodeBinding(requester: binding.requester, subject: "HOME2002")
        for other in [otherRequester, otherSubject] {
            guard case .wrong = rules.codeEntered(code, against: challenge, for: other, earlierLockouts: [], now: start + 1) else {
                Issue.record("a code worked for \(other)")
                continue
            }
        }
    }

    @Test func wrongCodesCountDownThenLockOut() throws {
        var (challenge, code) = try issued(at: start)
        let wrong = code == "000000" ? "111111" : "000000"
        for left in stride(from: 4, through: 1, by: -1) {
            let decision = rules.codeEntered(wrong, against: challenge, for: binding, earlierLockouts: [], now: start + 1)
            guard case .wrong(let counted, let attemptsLeft) = decision else {
                Issue.record("expected a wrong code, got \(decision)")
                return
            }
            #expect(attemptsLeft == left && counted.attempts == 5 - left)
            challenge = counted
        }
        #expect(rules.codeEntered(wrong, against: challenge, for: binding, earlierLockouts: [], now: start + 2) == .lockedOut(until: start + 2 + 900))
    }

    @Test func theThirdLockoutWithinADayLastsADay() throws {
        var (challenge, code) = try issued(at: start)
        challenge.attempts = 4
        let wrong = code == "000000" ? "111111" : "000000"
        let now = start + 60
        let twoEarlier = [now - 20 * 3600, now - 3600]
        #expect(rules.codeEntered(wrong, against: challenge, for: binding, earlierLockouts: twoEarlier, now: now) == .lockedOut(until: now + 86400))
        // Lockouts older than 24 hours do not count.
        let oneRecent = [now - 25 * 3600, now - 3600]
        #expect(rules.codeEntered(wrong, against: challenge, for: binding, earlierLockouts: oneRecent, now: now) == .lockedOut(until: now + 900))
    }

    @Test func anExpiredCodeIsNotCheckedEvenWhenRight() throws {
        let (challenge, code) = try issued(at: start)
        #expect(rules.codeEntered(code, against: challenge, for: binding, earlierLockouts: [], now: start + 300) == .expired)
    }

    @Test func aLockOrTheHourlyCapRefusesANewCode() {
        #expect(issue(at: start, lockedUntil: start + 60) == .locked(until: start + 60))
        #expect(issue(at: start, issued: 5) == .capReached)
        guard case .issue = issue(at: start, lockedUntil: start - 1, issued: 4) else {
            Issue.record("a lock that ended, or a cap not reached, must not refuse")
            return
        }
    }

    @Test func anUnknownDestinationGetsTheSameDecisionsButNoCodeThatCouldMatch() throws {
        guard case .issue(let challenge, let code) = issue(at: start, known: false) else {
            Issue.record("an unknown destination must look issued")
            return
        }
        #expect(code == nil && challenge.expiresAt == start + 300 && challenge.codeHash.count == 32)
        #expect(issue(at: start, known: false, issued: 5) == .capReached)
        #expect(issue(at: start, known: false, lockedUntil: start + 60) == .locked(until: start + 60))
        let (_, knownCode) = try issued(at: start)
        guard case .wrong = rules.codeEntered(knownCode, against: challenge, for: binding, earlierLockouts: [], now: start + 1) else {
            Issue.record("a code matched a challenge of random bytes")
            return
        }
    }

    @Test func resendWaitsOutTheCooldown() throws {
        let (challenge, _) = try issued(at: start)
        #expect(rules.resendRequested(of: challenge, now: start + 10) == .cooldown(seconds: 20))
        #expect(rules.resendRequested(of: challenge, now: start + 29.5) == .cooldown(seconds: 1))
        #expect(rules.resendRequested(of: challenge, now: start + 30) == .allowed)
    }

    @Test func aNewCodeVoidsTheOldOne() throws {
        let (_, firstCode) = try issued(at: start, seed: 1)
        let (second, secondCode) = try issued(at: start + 40, seed: 2)
        #expect(firstCode != secondCode)
        guard case .wrong = rules.codeEntered(firstCode, against: second, for: binding, earlierLockouts: [], now: start + 41) else {
            Issue.record("the old code still worked")
            return
        }
        #expect(rules.codeEntered(secondCode, against: second, for: binding, earlierLockouts: [], now: start + 41) == .approved)
    }

    @Test func theCodeLengthFollowsTheSettings() throws {
        var settings = VerificationSettings()
        settings.codeLength = 10
        let rules = VerificationRules(settings: settings, hasher: CodeHasher(key: Data(repeating: 9, count: 32)))
        var random = SeededRandom(seed: 3)
        guard case .issue(_, let code?) = rules.codeRequested(
            for: binding, destinationKnown: true, lockedUntil: nil, codesIssuedLastHour: 0, now: start, random: &random)
        else { throw Refused() }
        #expect(code.count == 10)
    }
}
