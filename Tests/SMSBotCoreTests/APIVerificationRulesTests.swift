import Foundation
import SMSBotCore
import Testing

/// The verification API's rules as events and decisions: no store, no HTTP; the facts, the
/// clock and the random source in the test's hands.
@Suite struct APIVerificationRulesTests {
    let hasher = CodeHasher(key: Data(repeating: 7, count: 32))
    var api: APIVerificationRules {
        APIVerificationRules(
            rules: VerificationRules(settings: VerificationSettings(), hasher: hasher), allowedCountries: ["US", "CA"],
            maxCodesPerHour: 1000)
    }
    let start = Date(timeIntervalSince1970: 1_795_000_000)
    let phone = PhoneNumber(e164: "+15551230001")!
    let policy = APIVerification.Destination.policy(PolicyNumber("AUTO-1001")!)

    func create(_ destination: APIVerification.Destination, _ facts: VerificationFacts, at now: Date? = nil, seed: UInt64 = 1)
        -> VerificationDecision
    {
        var random = SeededRandom(seed: seed)
        return api.creationRequested(by: "webchat", for: destination, facts: facts, now: now ?? start, random: &random)
    }

    /// The verification answered and the code sent, or a failure naming the decision.
    func created(_ destination: APIVerification.Destination, _ facts: VerificationFacts, at now: Date? = nil, seed: UInt64 = 1)
        throws -> (APIVerification, code: String?, effects: [VerificationEffect])
    {
        guard case .answered(let verification, let effects) = create(destination, facts, at: now, seed: seed) else {
            throw Unexpected(decision: create(destination, facts, at: now, seed: seed))
        }
        let code = effects.lazy.compactMap { effect -> String? in
            if case .sendCode(let code, _, _) = effect { code } else { nil }
        }.first
        return (verification, code, effects)
    }

    struct Unexpected: Error { var decision: VerificationDecision }

    @Test func aPhoneGetsACodeOnlyItsKeyAndDestinationCanUse() throws {
        let (verification, code, effects) = try created(.phone(phone), VerificationFacts(phone: phone))
        let sent = try #require(code)
        #expect(verification.status == .pending && verification.attemptsLeft == 5 && verification.requester == "webchat")
        #expect(verification.id.hasPrefix("vf_") && verification.id.count == 35)
        #expect(verification.challenge.expiresAt == start + 300)
        #expect(effects.contains(.sendCode(sent, to: phone, expiresAt: start + 300)))
        #expect(effects.contains(.recordCodeIssued(destination: phone)) && effects.contains(.audit(.codeSent)))
        #expect(hasher.matches(sent, hash: verification.challenge.codeHash, for: verification.binding))
        #expect(verification.binding == CodeBinding(requester: "key:webchat", subject: "phone:+15551230001"))
        let otherKey = APIVerification.binding(requester: "other", destination: .phone(phone))
        #expect(!hasher.matches(sent, hash: verification.challenge.codeHash, for: otherKey))
    }

    @Test func theRightCodeApprovesOnceAndOnlyOnce() throws {
        let (verification, code, _) = try created(.phone(phone), VerificationFacts(phone: phone))
        let decision = api.codeEntered(try #require(code), against: verification, failedAttempts: 0, earlierLockouts: [], now: start + 5)
        guard case .answered(let approved, let effects) = decision else { Issue.record("\(decision)"); return }
        #expect(approved.status == .approved && effects.contains(.clearFailedAttempts) && effects.contains(.audit(.approved)))
        #expect(api.codeEntered(code!, against: approved, failedAttempts: 0, earlierLockouts: [], now: start + 6) == .refused(.notPending))
    }

    @Test func wrongCodesCountAcrossCodesThenEndTheVerification() throws {
        // Four wrong codes against earlier codes of the same key and destination: one attempt left.
        let (verification, _, _) = try created(.phone(phone), VerificationFacts(phone: phone, failedAttempts: 4))
        #expect(verification.attemptsLeft == 1)
        let decision = api.codeEntered("000000", against: verification, failedAttempts: 4, earlierLockouts: [], now: start + 5)
        guard case .answered(let ended, let effects) = decision else { Issue.record("\(decision)"); return }
        #expect(ended.status == .maxAttemptsReached && ended.attemptsLeft == 0)
        #expect(effects.contains(.recordLockout(until: start + 5 + 900)) && effects.contains(.voidQueuedCode))
        // While locked, no new verification for that destination and key.
        #expect(create(.phone(phone), VerificationFacts(phone: phone, lockedUntil: start + 905), at: start + 10) == .refused(.locked(retryAfter: 895)))
    }

    @Test func aWrongCodeCostsOneAttempt() throws {
        let (verification, _, _) = try created(.phone(phone), VerificationFacts(phone: phone))
        let decision = api.codeEntered("123123", against: verification, failedAttempts: 0, earlierLockouts: [], now: start + 5)
        guard case .answered(let after, let effects) = decision else { Issue.record("\(decision)"); return }
        #expect(after.status == .pending && after.attemptsLeft == 4)
        #expect(effects == [.save(after), .recordFailedAttempt, .audit(.failed(attemptsLeft: 4))])
    }

    @Test func anExpiredOrMissingVerificationIsNotChecked() throws {
        let (verification, code, _) = try created(.phone(phone), VerificationFacts(phone: phone))
        #expect(verification.status(at: start + 300) == .expired)
        #expect(api.codeEntered(code!, against: verification, failedAttempts: 0, earlierLockouts: [], now: start + 300) == .refused(.notPending))
        #expect(api.codeEntered(code!, against: nil, failedAttempts: 0, earlierLockouts: [], now: start) == .refused(.notFound))
    }

    @Test func askingAgainResendsForTheSameVerificationAfterTheCooldown() throws {
        let (first, firstCode, _) = try created(.phone(phone), VerificationFacts(phone: phone))
        let facts = VerificationFacts(pending: first, phone: phone, requestsLastHour: 1, codesToPhoneLastHour: 1)
        #expect(create(.phone(phone), facts, at: start + 10) == .refused(.cooldown(retryAfter: 20)))
        let (second, secondCode, _) = try created(.phone(phone), facts, at: start + 30, seed: 2)
        #expect(second.id == first.id && second.createdAt == first.createdAt)
        #expect(second.challenge.expiresAt == start + 330 && secondCode != firstCode)
        // The old code no longer works against the verification as it now is.
        #expect(!hasher.matches(firstCode!, hash: second.challenge.codeHash, for: second.binding))
    }

    @Test func aPendingVerificationWhoseCodeRanOutIsReplaced() throws {
        let (first, _, _) = try created(.phone(phone), VerificationFacts(phone: phone))
        let (second, _, effects) = try created(.phone(phone), VerificationFacts(pending: first, phone: phone), at: start + 400, seed: 3)
        #expect(second.id != first.id)
        var expired = first
        expired.status = .expired
        #expect(effects.first == .save(expired))
    }

    @Test func aPhoneOutsideTheAllowedCountriesOrOptedOutIsRefused() throws {
        for e164 in ["+447700900123", "+18765550123", "+8613800138000"] {
            let outside = PhoneNumber(e164: e164)!
            #expect(create(.phone(outside), VerificationFacts(phone: outside)) == .refused(.countryNotAllowed), "\(e164)")
        }
        let canadian = PhoneNumber(e164: "+14165550123")!
        #expect(try created(.phone(canadian), VerificationFacts(phone: canadian)).code != nil)
        #expect(create(.phone(phone), VerificationFacts(phone: phone, isOptedOut: true)) == .refused(.optedOut))
    }

    @Test func limitsOfTheDestinationAreToldForAGivenPhoneOnly() throws {
        #expect(create(.phone(phone), VerificationFacts(phone: phone, codesToPhoneLastHour: 5)) == .refused(.destinationLimit(retryAfter: 3600)))
        // By policy: the phone on file over its cap, opted out, or no policy at all: the same answer, no SMS.
        let cases = [
            VerificationFacts(phone: phone, codesToPhoneLastHour: 5), VerificationFacts(phone: phone, isOptedOut: true),
            VerificationFacts(phone: nil),
        ]
        for facts in cases {
            let (verification, code, effects) = try created(policy, facts)
            #expect(code == nil && verification.status == .pending && verification.attemptsLeft == 5)
            #expect(effects.map(\.kind) == ["save", "recordCodeIssued", "audit"], "\(facts)")
            #expect(effects.contains(.recordCodeIssued(destination: nil)) && effects.contains(.audit(.codeWithheld)))
        }
        #expect(try created(policy, VerificationFacts(phone: phone)).code != nil)
    }

    @Test func theKeysOwnRequestsAndTheWholeAPIAreCapped() {
        #expect(create(policy, VerificationFacts(phone: nil, requestsLastHour: 5)) == .refused(.tooManyCodes(retryAfter: 3600)))
        #expect(create(policy, VerificationFacts(phone: phone, requestsLastHour: 5)) == .refused(.tooManyCodes(retryAfter: 3600)))
        #expect(create(.phone(phone), VerificationFacts(phone: phone, apiCodesLastHour: 1000)) == .refused(.sendBudgetExhausted(retryAfter: 60)))
    }

    @Test func cancelingEndsAPendingVerificationOnce() throws {
        let (verification, _, _) = try created(.phone(phone), VerificationFacts(phone: phone))
        guard case .answered(let canceled, let effects) = api.cancelRequested(verification, now: start + 1) else {
            Issue.record("not canceled"); return
        }
        #expect(canceled.status == .canceled && effects.contains(.voidQueuedCode) && effects.contains(.audit(.canceled)))
        #expect(api.cancelRequested(canceled, now: start + 2) == .answered(canceled, effects: []))
        var approved = verification
        approved.status = .approved
        #expect(api.cancelRequested(approved, now: start + 2) == .refused(.notPending))
        #expect(api.cancelRequested(nil, now: start) == .refused(.notFound))
    }

    @Test func onlyCodeShapedInputIsChecked() {
        #expect(api.isWellFormed(code: "123456"))
        for input in ["12345", "1234567", "12a456", "", "١٢٣٤٥٦", " 123456"] {
            #expect(!api.isWellFormed(code: input), "\(input)")
        }
    }

    @Test func aNumbersCountryComesFromItsCallingAndAreaCode() {
        let countries = [
            "+15551230001": "US", "+14165550123": "CA", "+16045550123": "CA", "+18765550123": "JM", "+17875550123": "PR",
            "+447700900123": "GB", "+4915112345678": "DE", "+61412345678": "AU",
        ]
        for (e164, country) in countries {
            #expect(PhoneNumber(e164: e164)?.country == country, "\(e164)")
        }
        #expect(PhoneNumber(e164: "+8613800138000")?.country == nil)
        #expect(PhoneNumber.isKnownCountry("JM") && PhoneNumber.isKnownCountry("US") && !PhoneNumber.isKnownCountry("XX"))
    }
}

extension VerificationEffect {
    /// The effect's case name, to compare the shape of decisions.
    var kind: String { String(describing: self).prefix { $0 != "(" }.description }
}
