import Foundation
import SMSBotCore
import SMSBotStorage
import Synchronization
import Testing

/// The guarantees of the verification API's store: facts read in the transaction, writes
/// stored whole, idempotency, serialization per key and destination, and each key's request window.
extension StoreConformance {
    static let apiRules = APIVerificationRules(
        rules: VerificationRules(settings: VerificationSettings(), hasher: CodeHasher(key: Data(repeating: 3, count: 32))),
        allowedCountries: ["US", "CA"], maxCodesPerHour: 1000)

    /// The write of `decision`: its effects, the SMS for a code, and a response naming the status.
    static func write(_ decision: VerificationDecision, status: Int = 201) -> VerificationWrite {
        switch decision {
        case .refused(let refusal):
            return VerificationWrite(verification: nil, effects: [], outbound: nil, response: StoredResponse(status: 429, body: "\(refusal)"))
        case .answered(let verification, let effects):
            let outbound = effects.lazy.compactMap { effect -> OutboundSMS? in
                guard case .sendCode(let code, let to, let expiresAt) = effect else { return nil }
                return OutboundSMS(kind: .otp, to: to, body: "code \(code)", notAfter: expiresAt)
            }.first
            return VerificationWrite(
                verification: verification, effects: effects, outbound: outbound, response: StoredResponse(status: status, body: verification.id))
        }
    }

    static func create(
        _ destination: APIVerification.Destination, by key: String = "webchat", in store: any SMSBotStore, at time: Date,
        idempotency: (key: String, requestDigest: String)? = nil, sawFacts: (@Sendable (VerificationFacts) -> Void)? = nil
    ) async throws -> VerificationRequestOutcome {
        try await store.requestVerification(VerificationRequest(requester: key, destination: destination, idempotency: idempotency, now: time)) {
            facts in
            sawFacts?(facts)
            var random = SystemRandomNumberGenerator()
            return write(apiRules.creationRequested(by: key, for: destination, facts: facts, now: time, random: &random))
        }
    }

    static func check(_ code: String, id: String, by key: String = "webchat", in store: any SMSBotStore, at time: Date) async throws
        -> StoredResponse
    {
        try await store.updateVerification(id: id, requester: key, at: time) { verification, history in
            write(
                apiRules.codeEntered(
                    code, against: verification, failedAttempts: history.failedAttempts, earlierLockouts: history.lockoutsStarted, now: time),
                status: 200)
        }
    }

    /// The code in the verification's queued SMS.
    static func queuedCode(for id: String, fixture: StoreFixture) async throws -> String? {
        try await fixture.text("SELECT body FROM outbox WHERE requester_phone = 'verification:\(id)' AND status = 'pending'")
            .map { String($0.dropFirst(5)) }
    }

    static let verificationChecks: [Check] = [
        Check(name: "aVerificationIsStoredWithItsCodeQueuedAndChecked") { store, fixture in
            guard case .decided(let created) = try await create(.phone(phone), in: store, at: now), created.status == 201 else {
                Issue.record("not created"); return
            }
            let id = created.body
            let stored = try #require(try await store.verification(id: id, requester: "webchat"))
            #expect(stored.status == .pending && stored.attemptsLeft == 5 && stored.destination == .phone(phone))
            #expect(try await store.verification(id: id, requester: "other-key") == nil)
            #expect(try await fixture.count("otp_challenges", where: "requester_phone = 'key:webchat' AND destination_phone = '\(phone.e164)'") == 1)
            let code = try #require(try await queuedCode(for: id, fixture: fixture))
            // Wrong, then right: the failure counted for the binding, then cleared.
            #expect(try await check("000000" == code ? "111111" : "000000", id: id, in: store, at: now + 5).status == 200)
            #expect(try await fixture.count("verification_failures", where: "phone = 'key:webchat'") == 1)
            #expect(try await store.verification(id: id, requester: "webchat")?.attemptsLeft == 4)
            #expect(try await check(code, id: id, in: store, at: now + 6).status == 200)
            #expect(try await store.verification(id: id, requester: "webchat")?.status == .approved)
            #expect(try await fixture.count("verification_failures") == 0)
            #expect(try await check(code, id: id, in: store, at: now + 7).body == "notPending")
            #expect(try await fixture.count("audit_events", where: "event LIKE 'verification_%' AND detail LIKE 'key=webchat%'") == 3)
            #expect(try await fixture.count("audit_events", where: "phone_masked LIKE '%\(phone.e164.dropFirst(6))'") == 0)
        },
        Check(name: "verificationFactsCountBothChannelsAndTheWholeAPI") { store, fixture in
            try await store.upsertPolicies([TestPolicies.auto], at: now)
            // A code the SMS conversation sent to the phone on file counts towards its cap here.
            _ = try await store.processInbound(
                messageSID: MessageSID("SM1")!, message: message("AUTO-1001", at: now), subjects: [.policy(TestPolicies.auto.number)]
            ) { _, _ in
                InboundDecision(
                    state: .awaitingPolicyNumber, replies: [],
                    effects: [.recordCodeIssued(subject: .policy(TestPolicies.auto.number), destination: TestPolicies.auto.phone)])
            }
            _ = try await create(.phone(PhoneNumber(e164: "+15557770000")!), by: "other", in: store, at: now + 1)
            let seen = Mutex<VerificationFacts?>(nil)
            _ = try await create(.policy(TestPolicies.auto.number), in: store, at: now + 2) { facts in seen.withLock { $0 = facts } }
            let facts = try #require(seen.withLock { $0 })
            #expect(facts.phone == TestPolicies.auto.phone && facts.codesToPhoneLastHour == 1 && facts.apiCodesLastHour == 1)
            #expect(facts.requestsLastHour == 0 && facts.pending == nil && !facts.isOptedOut)
            // An unknown policy: no phone, and the same queries.
            let unknown = Mutex<VerificationFacts?>(nil)
            _ = try await create(.policy(PolicyNumber("NOPE-1")!), in: store, at: now + 3) { facts in unknown.withLock { $0 = facts } }
            #expect(unknown.withLock { $0 }?.phone == nil && unknown.withLock { $0 }?.apiCodesLastHour == 2)
            #expect(try await fixture.count("outbox", where: "requester_phone LIKE 'verification:%'") == 2)
        },
        Check(name: "anIdempotencyKeyReplaysTheFirstCreatedResponseForADay") { store, fixture in
            let idempotency = (key: "retry-1", requestDigest: "digest-a")
            guard case .decided(let first) = try await create(.phone(phone), in: store, at: now, idempotency: idempotency) else {
                Issue.record("not created"); return
            }
            let replay = try await create(.phone(phone), in: store, at: now + 60, idempotency: idempotency)
            #expect(replay == .replayed(first))
            #expect(try await fixture.count("outbox") == 1)
            let reused = try await create(.phone(phone), in: store, at: now + 61, idempotency: (key: "retry-1", requestDigest: "digest-b"))
            #expect(reused == .idempotencyKeyReused)
            // Another key's idempotency keys are its own.
            guard case .decided = try await create(.phone(phone), by: "other", in: store, at: now + 62, idempotency: idempotency) else {
                Issue.record("another key's request was replayed"); return
            }
            // After a day the key is free again (the cooldown is long over).
            guard case .decided = try await create(.phone(phone), in: store, at: now + 24 * 3600 + 1, idempotency: idempotency) else {
                Issue.record("a day-old idempotency key still replayed"); return
            }
        },
        Check(name: "concurrentRequestsForOneDestinationMakeOneVerification") { store, fixture in
            let outcomes = try await withThrowingTaskGroup(of: VerificationRequestOutcome.self) { group in
                for _ in 0..<8 { group.addTask { try await create(.phone(phone), in: store, at: now) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .decided(let response) = $0 { response.status == 201 } else { false } }.count == 1)
            #expect(try await fixture.count("verifications") == 1)
            #expect(try await fixture.count("outbox") == 1)
        },
        Check(name: "concurrentChecksOfOneCodeApproveOnceAndCountEveryWrongOne") { store, fixture in
            guard case .decided(let created) = try await create(.phone(phone), in: store, at: now) else { Issue.record("not created"); return }
            let code = try #require(try await queuedCode(for: created.body, fixture: fixture))
            let wrong = code == "000000" ? "111111" : "000000"
            let responses = try await withThrowingTaskGroup(of: StoredResponse.self) { group in
                for attempt in 0..<6 { group.addTask { try await check(attempt == 5 ? code : wrong, id: created.body, in: store, at: now + 1) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Five wrong codes end the verification whatever the order; the right one counts only before that.
            let final = try #require(try await store.verification(id: created.body, requester: "webchat"))
            let refused = responses.filter { $0.body == "notPending" }.count
            #expect(final.status == .maxAttemptsReached || final.status == .approved)
            #expect(final.status == .approved ? refused == final.attemptsLeft : refused == 1)
            #expect(try await fixture.count("audit_events", where: "event = 'verification_approved'") <= 1)
            #expect(try await fixture.count("lockouts") == (final.status == .maxAttemptsReached ? 1 : 0))
        },
        Check(name: "verificationsAndIdempotencyRecordsArePurgedAfterTwoDays") { store, fixture in
            _ = try await create(.phone(phone), in: store, at: now, idempotency: (key: "k", requestDigest: "d"))
            _ = try await store.purge(at: now + 47 * 3600)
            #expect(try await fixture.count("verifications") == 1)
            #expect(try await fixture.count("idempotency_records") == 1)
            _ = try await store.purge(at: now + 49 * 3600)
            #expect(try await fixture.count("verifications") == 0)
            #expect(try await fixture.count("idempotency_records") == 0)
        },
        Check(name: "concurrentRegistrationsOfOneNumberLetOneWin") { store, fixture in
            let messages = PolicyMessages(
                welcome: { OutboundSMS(kind: .text, to: $0, body: "welcome") }, phoneChangedNotice: { OutboundSMS(kind: .text, to: $0, body: "notice") })
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        var policy = TestPolicies.auto
                        policy.holderName = "Registrant \(index)"
                        do {
                            try await store.registerPolicy(policy, messages: messages, by: OperatorAction(actor: "ops", at: now))
                            return true
                        } catch OperatorRefusal.policyExists {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await fixture.count("policies") == 1)
            #expect(try await fixture.count("outbox") == 1)
            #expect(try await fixture.count("audit_events", where: "event = 'policy_registered'") == 1)
        },
        Check(name: "aKeysRequestsAreCountedPerMinuteInTheStore") { store, fixture in
            var random = SystemRandomNumberGenerator()
            let secret = AccessKeySecret.generate(using: &random)
            try await store.createAccessKey(AccessKey(name: "web-chat", role: .verify, createdAt: now), secretDigest: secret.digest)
            var counts: [Int] = []
            for offset in [0.0, 10, 59] {
                counts.append(try await store.accessKey(forSecretDigest: secret.digest, usedAt: now + offset)?.requestsInWindow ?? -1)
            }
            let next = try await store.accessKey(forSecretDigest: secret.digest, usedAt: now + 60)
            #expect(counts == [1, 2, 3])
            #expect(next?.requestsInWindow == 1 && next?.windowStartedAt == now + 60)
        },
    ]
}
