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
        at now: Date, known: Bool = true, lockedUntil: Date? = nil, usage: CodeUsage = CodeUsage(), seed: UInt64 = 1
    ) -> CodeRequestDecision {
        var random = SeededRandom(seed: seed)
        return rules.codeRequested(for: binding, destinationKnown: known, lockedUntil: lockedUntil, usage: usage, now: now, random: &random)
    }

    func issued(at now: Date, seed: UInt64 = 1) throws -> (challenge: CodeChallenge, code: String) {
        guard case .issue(let challenge, let code?) = issue(at: now, seed: seed) else { throw Refused() }
        return (challenge, code)
    }

    func enter(_ code: String, _ challenge: CodeChallenge, failed: Int = 0, lockouts: [Date] = [], at now: Date) -> CodeCheckDecision {
        rules.codeEntered(code, against: challenge, for: binding, failedAttempts: failed, earlierLockouts: lockouts, now: now)
    }

    struct Refused: Error {}

    @Test func aCodeIsIssuedHashedAndApproved() throws {
        let (challenge, code) = try issued(at: start)
        #expect(code.count == 6 && code.allSatisfy(\.isNumber))
        #expect(challenge.expiresAt == start + 300)
        #expect(!challenge.codeHash.isEmpty && challenge.codeHash != Data(code.utf8))
        #expect(enter(code, challenge, at: start + 10) == .approved)
    }

    @Test func theCodeIsBoundToItsRequesterAndSubject() throws {
        let (challenge, code) = try issued(at: start)
        for other in [CodeBinding(requester: "+15559990000", subject: binding.subject), CodeBinding(requester: binding.requester, subject: "HOME2002")] {
            let decision = rules.codeEntered(code, against: challenge, for: other, failedAttempts: 0, earlierLockouts: [], now: start + 1)
            #expect(decision == .wrong(attemptsLeft: 4), "a code worked for \(other)")
        }
    }

    @Test func wrongCodesCountDownAcrossCodesThenLockOut() throws {
        // The failures of the binding come in from outside: a new code does not reset them.
        let wrong = "000000"
        var failed = 0
        for (round, left) in [4, 3, 2, 1].enumerated() {
            let (challenge, code) = try issued(at: start + Double(round) * 60, seed: UInt64(round + 1))
            try #require(code != wrong)
            #expect(enter(wrong, challenge, failed: failed, at: start + Double(round) * 60 + 1) == .wrong(attemptsLeft: left))
            failed += 1
        }
        let (last, _) = try issued(at: start + 300, seed: 9)
        #expect(enter(wrong, last, failed: failed, at: start + 301) == .lockedOut(until: start + 301 + 900))
    }

    @Test func theThirdLockoutWithinADayLastsADay() throws {
        let (challenge, code) = try issued(at: start)
        let wrong = code == "000000" ? "111111" : "000000"
        let now = start + 60
        #expect(enter(wrong, challenge, failed: 4, lockouts: [now - 20 * 3600, now - 3600], at: now) == .lockedOut(until: now + 86400))
        // Lockouts older than 24 hours do not count.
        #expect(enter(wrong, challenge, failed: 4, lockouts: [now - 25 * 3600, now - 3600], at: now) == .lockedOut(until: now + 900))
    }

    @Test func anExpiredCodeIsNotCheckedEvenWhenRight() throws {
        let (challenge, code) = try issued(at: start)
        #expect(enter(code, challenge, at: start + 300) == .expired)
    }

    @Test func aLockOrTheRequestersOwnHourlyCapRefusesOutLoud() {
        #expect(issue(at: start, lockedUntil: start + 60) == .locked(until: start + 60))
        #expect(issue(at: start, usage: CodeUsage(requestsForSubjectLastHour: 5)) == .capReached)
        #expect(issue(at: start, known: false, usage: CodeUsage(requestsForSubjectLastHour: 5)) == .capReached)
        guard case .issue(_, _?) = issue(at: start, lockedUntil: start - 1, usage: CodeUsage(requestsForSubjectLastHour: 4)) else {
            Issue.record("a lock that ended, or a cap not reached, must not refuse")
            return
        }
    }

    @Test func theDestinationsCapHoldsTheCodeBackSilently() {
        let full = CodeUsage(codesToDestinationLastHour: 5)
        guard case .issue(let challenge, let code) = issue(at: start, usage: full) else {
            Issue.record("a full destination must look like any issued code")
            return
        }
        #expect(code == nil && challenge.expiresAt == start + 300 && challenge.codeHash.count == 32)
        guard case .issue(_, _?) = issue(at: start, usage: CodeUsage(codesToDestinationLastHour: 4)) else {
            Issue.record("a destination under its cap gets its code")
            return
        }
    }

    @Test func aRequesterReachesAtMostThreeSubjectsADaySilently() {
        let three: Set = ["HOME2002", "LIFE3003", "BOAT4004"]
        guard case .issue(_, nil) = issue(at: start, usage: CodeUsage(subjectsRequestedToday: three)) else {
            Issue.record("a fourth subject in a day must get no code, and no refusal either")
            return
        }
        guard case .issue(_, _?) = issue(at: start, usage: CodeUsage(subjectsRequestedToday: three.union([binding.subject]))) else {
            Issue.record("a subject already asked for today stays within the spread")
            return
        }
        guard case .issue(_, _?) = issue(at: start, usage: CodeUsage(subjectsRequestedToday: ["HOME2002", "LIFE3003"])) else {
            Issue.record("a third subject is within the spread")
            return
        }
    }

    @Test func anUnknownDestinationGetsTheSameDecisionsButNoCodeThatCouldMatch() throws {
        guard case .issue(let challenge, let code) = issue(at: start, known: false) else {
            Issue.record("an unknown destination must look issued")
            return
        }
        #expect(code == nil && challenge.expiresAt == start + 300 && challenge.codeHash.count == 32)
        #expect(issue(at: start, known: false, lockedUntil: start + 60) == .locked(until: start + 60))
        let (_, knownCode) = try issued(at: start)
        #expect(enter(knownCode, challenge, at: start + 1) == .wrong(attemptsLeft: 4))
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
        #expect(enter(firstCode, second, at: start + 41) == .wrong(attemptsLeft: 4))
        #expect(enter(secondCode, second, at: start + 41) == .approved)
    }

    @Test func theCodeLengthFollowsTheSettings() throws {
        var settings = VerificationSettings()
        settings.codeLength = 10
        let rules = VerificationRules(settings: settings, hasher: CodeHasher(key: Data(repeating: 9, count: 32)))
        var random = SeededRandom(seed: 3)
        guard case .issue(_, let code?) = rules.codeRequested(
            for: binding, destinationKnown: true, lockedUntil: nil, usage: CodeUsage(), now: start, random: &random)
        else { throw Refused() }
        #expect(code.count == 10)
    }
}
