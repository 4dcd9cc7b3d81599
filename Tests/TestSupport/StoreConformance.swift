import Foundation
import SMSBotCore
import SMSBotStorage
public import Testing
import TwilioKit

/// The guarantees every store gives, written once: each store's test target runs every check
/// against its own store (`SQLiteConformanceTests`, `PostgresConformanceTests`).
public enum StoreConformance {
    /// One guarantee, checked on a fresh, migrated store of the fixture's kind.
    public struct Check: Sendable, CustomTestStringConvertible {
        public let name: String
        let body: @Sendable (any SMSBotStore, StoreFixture) async throws -> Void

        public var testDescription: String { name }

        /// Runs the check on a new database of `kind`, removed afterwards.
        public func run(on kind: StoreFixture.Kind) async throws {
            let fixture = try await StoreFixture.make(kind)
            do {
                try await fixture.withStore { store in try await body(store, fixture) }
            } catch {
                await fixture.remove()
                throw error
            }
            await fixture.remove()
        }
    }

    static let phone = PhoneNumber(e164: "+15551230001")!
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func message(_ text: String, at time: Date) -> IncomingMessage {
        IncomingMessage(from: phone, text: text, receivedAt: time)
    }

    /// Every check.
    public static let checks: [Check] = conversationChecks + concurrencyChecks + verificationChecks + forgotChecks

    /// The checks of the conversation, policies, outbox and keys.
    static let conversationChecks: [Check] = [
        Check(name: "aMessageIsHandledOnceAndItsRepliesReplayedForFifteenMinutes") { store, fixture in
        try await store.upsertPolicies([TestPolicies.auto], at: now)
        let first = try await store.processInbound(
            messageSID: MessageSID("SM1")!, message: message("AUTO-1001", at: now), subjects: [.policy(TestPolicies.auto.number)]
        ) { state, context in
            #expect(state == .new)
            #expect(context.policies[TestPolicies.auto.number] == TestPolicies.auto)
            return InboundDecision(state: .awaitingPolicyNumber, replies: ["first", "second"])
        }
        #expect(first == .handled(replies: ["first", "second"]))
        let replay = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now + 60), subjects: []) {
            _, _ in
            Issue.record("a replayed message must not be handled again")
            return InboundDecision(state: .new, replies: [])
        }
        #expect(replay == .replayed(replies: ["first", "second"]))
        let late = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now + 901), subjects: []) {
            _, _ in InboundDecision(state: .new, replies: ["wrong"])
        }
        #expect(late == .replayed(replies: []))
        #expect(try await fixture.count("processed_messages") == 1)
        #expect(try await fixture.conversationState(of: phone.e164) == .awaitingPolicyNumber)
        },
        Check(name: "aStateBackToNewForgetsTheConversation") { store, fixture in
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("hi", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [])
        }
        #expect(try await fixture.count("conversations") == 1)
        _ = try await store.processInbound(messageSID: MessageSID("SM2")!, message: message("bye", at: now), subjects: []) {
            state, _ in
            #expect(state == .awaitingPolicyNumber)
            return InboundDecision(state: .new, replies: [])
        }
        // Nothing of it is left to read (PostgreSQL keeps the row, emptied: see StoreDecision).
        #expect(try await fixture.count("conversations", where: "length(state) > 0 OR policy_number IS NOT NULL") == 0)
        _ = try await store.processInbound(messageSID: MessageSID("SM3")!, message: message("hi again", at: now), subjects: []) {
            state, _ in
            #expect(state == .new)
            return InboundDecision(state: .new, replies: [])
        }
        },
        Check(name: "concurrentMessagesFromOneNumberAreHandledOneAtATime") { store, fixture in
        // An ongoing conversation: every message reads the same row, and all but one must find
        // it changed when they write (PostgreSQL then handles them again under the row's lock).
        _ = try await store.processInbound(messageSID: MessageSID("SM-first")!, message: message("x", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [])
        }
        // Twelve, not more: they wait for each other, and the last must finish within the store's
        // 4 s deadline while the rest of the suite loads both cores (25 once timed out there).
        let seen = try await lockoutRace(of: 12, on: [store])
        #expect(Set(seen) == Set((0..<12).map(String.init)), "each message saw the ones stored before it, and no two the same")
        let final = try await store.processInbound(messageSID: MessageSID("SM-final")!, message: message("x", at: now), subjects: []) {
            _, context in InboundDecision(state: .awaitingPolicyNumber, replies: ["\(context.lockouts.count)"])
        }
        #expect(final.replies == ["12"])
        #expect(try await fixture.count("processed_messages") == 14)
        },
        Check(name: "theDecisionIsStoredAtomicallyWithItsEffects") { store, fixture in
        try await store.upsertPolicies([TestPolicies.auto], at: now)
        let sms = OutboundSMS(kind: .otp, to: TestPolicies.auto.phone, body: "Acme code: 123456", notAfter: now + 300)
        _ = try await store.processInbound(
            messageSID: MessageSID("SM1")!, message: message("AUTO-1001", at: now), subjects: [.policy(TestPolicies.auto.number)]
        ) { _, _ in
            InboundDecision(
                state: .awaitingPolicyNumber, replies: ["ok"], outbound: [sms],
                effects: [
                    .recordCodeIssued(subject: .policy(TestPolicies.auto.number), destination: TestPolicies.auto.phone),
                    .audit(.codeSent(.policy(TestPolicies.auto.number))), .setOptedOut(true),
                ])
        }
        for table in ["outbox", "otp_challenges", "audit_events", "opt_outs", "processed_messages", "conversations"] {
            #expect(try await fixture.count(table) == 1, "\(table)")
        }
        #expect(try await fixture.text("SELECT event FROM audit_events") == "code_sent")
        #expect(try await fixture.text("SELECT phone_masked FROM audit_events") == "+1555***0001")
        #expect(try await fixture.text("SELECT policy_number FROM audit_events") == "AUTO1001")
        let context = try await store.processInbound(
            messageSID: MessageSID("SM2")!, message: message("AUTO-1001", at: now + 1), subjects: [.policy(TestPolicies.auto.number)]
        ) { _, context in
            InboundDecision(
                state: .awaitingPolicyNumber,
                replies: [
                    "\(context.isOptedOut) \(context.codesToDestinationLastHour) \(context.codesRequestedLastHour) \(context.subjectsRequestedToday.map(\.storedKey))"
                ])
        }
        #expect(context.replies == [#"true [AUTO1001: 1] [AUTO1001: 1] ["AUTO1001"]"#])
        },
        Check(name: "theOutboxHandsOutEachDueMessageToOneClaimerAndErasesAnAcceptedCode") { store, fixture in
        // Ten phones, so every SMS is claimable at once.
        let messages = (0..<10).map {
            OutboundSMS(kind: .otp, to: PhoneNumber(e164: "+1555666000\($0)")!, body: "Acme code: 12345\($0)", notAfter: now + 300)
        }
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: messages)
        }
        async let first = store.claimDueOutbound(at: now, limit: 6, lease: 30)
        async let second = store.claimDueOutbound(at: now, limit: 6, lease: 30)
        let claims = try await [first, second]
        let ids = claims.flatMap { $0.map(\.id) }
        #expect(ids.count == 10 && Set(ids).count == 10)
        #expect(try await store.claimDueOutbound(at: now + 1, limit: 10, lease: 30).isEmpty)
        // A claim whose worker died is handed out again once its lease runs out, as an ambiguous attempt.
        let reclaimed = try await store.claimDueOutbound(at: now + 31, limit: 20, lease: 30)
        #expect(Set(reclaimed.map(\.id)) == Set(ids))
        #expect(reclaimed.allSatisfy { $0.ambiguousFailures == 1 })
        for message in reclaimed.prefix(9) {
            try await store.completeOutbound(id: message.id, result: .accepted(providerID: "SMout\(message.id)"), at: now + 32)
        }
        // The tenth's worker dies too: it is not sent a third time, and its code is reported undelivered.
        #expect(try await store.claimDueOutbound(at: now + 100, limit: 10, lease: 30).isEmpty)
        #expect(try await fixture.count("outbox", where: "status = 'dropped' AND delivery_status = 'failed'") == 1)
        #expect(try await fixture.count("outbox", where: "body IS NOT NULL") == 0)
        #expect(try await store.outboxDepth() == 0)
        },
        Check(name: "onePhonesSMSAreHandedOutOneAtATimeInQueueOrder") { store, _ in
        let texts = (0..<3).map { OutboundSMS(kind: .text, to: phone, body: "text \($0)") }
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: texts)
        }
        var sent: [String] = []
        for step in 0..<3 {
            // Concurrent claimers (other workers, other instances) never get a later one early.
            async let first = store.claimDueOutbound(at: now + Double(step), limit: 10, lease: 30)
            async let second = store.claimDueOutbound(at: now + Double(step), limit: 10, lease: 30)
            let claimed = try await first + second
            #expect(claimed.count == 1, "step \(step)")
            let message = try #require(claimed.first)
            sent.append(message.sms.body)
            if step == 1 {
                // A retry keeps its place: nothing behind it leaves first.
                try await store.completeOutbound(id: message.id, result: .retry(at: now + 10, code: nil, ambiguous: false), at: now)
                #expect(try await store.claimDueOutbound(at: now + 5, limit: 10, lease: 30).isEmpty)
                let retried = try await store.claimDueOutbound(at: now + 10, limit: 10, lease: 30)
                try await store.completeOutbound(id: try #require(retried.first?.id), result: .accepted(providerID: nil), at: now + 10)
            } else {
                try await store.completeOutbound(id: message.id, result: .accepted(providerID: nil), at: now + Double(step))
            }
        }
        #expect(sent == ["text 0", "text 1", "text 2"])
        },
        Check(name: "aNewCodeDropsTheTextersCodesStillQueued") { store, fixture in
        let policy = TestPolicies.auto.number
        let old = OutboundSMS(kind: .otp, to: phone, body: "Acme code: 111111", notAfter: now + 300)
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("AUTO-1001", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: [old], effects: [.recordCodeIssued(subject: .policy(policy), destination: phone)])
        }
        let new = OutboundSMS(kind: .otp, to: phone, body: "Acme code: 222222", notAfter: now + 340)
        _ = try await store.processInbound(messageSID: MessageSID("SM2")!, message: message("RESEND", at: now + 40), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: [new], effects: [.recordCodeIssued(subject: .policy(policy), destination: phone)])
        }
        let claimed = try await store.claimDueOutbound(at: now + 41, limit: 10, lease: 30)
        #expect(claimed.map(\.sms.body) == ["Acme code: 222222"])
        #expect(try await fixture.count("outbox", where: "status = 'dropped' AND body IS NULL") == 1)
        // LOGOUT voids a code still queued, too.
        try await store.completeOutbound(id: try #require(claimed.first?.id), result: .accepted(providerID: nil), at: now + 41)
        _ = try await store.processInbound(messageSID: MessageSID("SM3")!, message: message("AUTO-1001", at: now + 80), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: [old], effects: [.recordCodeIssued(subject: .policy(policy), destination: phone)])
        }
        _ = try await store.processInbound(messageSID: MessageSID("SM4")!, message: message("LOGOUT", at: now + 81), subjects: []) {
            _, _ in InboundDecision(state: .new, replies: [], effects: [.audit(.loggedOut)])
        }
        #expect(try await store.claimDueOutbound(at: now + 82, limit: 10, lease: 30).isEmpty)
        },
        Check(name: "retriesDropsAndOptOutsAreRecorded") { store, fixture in
        let sms = OutboundSMS(kind: .otp, to: phone, body: "Acme code: 123456", notAfter: now + 300)
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: [sms, sms])
        }
        // One phone: the second waits for the first.
        let first = try await store.claimDueOutbound(at: now, limit: 10, lease: 30)
        #expect(first.count == 1)
        try await store.completeOutbound(
            id: first[0].id, result: .dropped(reason: "unsubscribed", code: 21610, optOut: true, deliveryFailed: true), at: now)
        let second = try await store.claimDueOutbound(at: now, limit: 10, lease: 30)
        #expect(second.count == 1 && second.first?.recipientOptedOut == true)
        try await store.completeOutbound(id: second[0].id, result: .retry(at: now + 5, code: 20500, ambiguous: true), at: now)
        #expect(try await store.claimDueOutbound(at: now + 1, limit: 10, lease: 30).isEmpty)
        let retried = try await store.claimDueOutbound(at: now + 5, limit: 10, lease: 30)
        #expect(retried.map(\.id) == [second[0].id])
        #expect(retried.first?.attempts == 1 && retried.first?.ambiguousFailures == 1)
        #expect(retried.first?.recipientOptedOut == true)
        #expect(try await fixture.count("opt_outs") == 1)
        #expect(try await store.outboxDepth() == 1)
        let next = try await store.processInbound(messageSID: MessageSID("SM2")!, message: message("x", at: now + 6), subjects: []) {
            _, context in
            InboundDecision(
                state: .awaitingPolicyNumber, replies: ["\(context.codeDeliveryFailed)"],
                acknowledgesDeliveryFailure: context.codeDeliveryFailed)
        }
        #expect(next.replies == ["true"])
        let after = try await store.processInbound(messageSID: MessageSID("SM3")!, message: message("x", at: now + 7), subjects: []) {
            _, context in InboundDecision(state: .awaitingPolicyNumber, replies: ["\(context.codeDeliveryFailed)"])
        }
        #expect(after.replies == ["false"])
        },
        Check(name: "deliveryStatusesNeverMoveBackwards") { store, fixture in
        let sms = OutboundSMS(kind: .text, to: phone, body: "hello")
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: [sms])
        }
        let id = try #require(try await store.claimDueOutbound(at: now, limit: 1, lease: 30).first?.id)
        try await store.completeOutbound(id: id, result: .accepted(providerID: "SMabc"), at: now)
        for status in ["sent", "delivered", "sent", "queued"] {
            #expect(try await store.recordDeliveryStatus(providerID: "SMabc", status: DeliveryStatus(rawValue: status), at: now))
        }
        #expect(try await fixture.text("SELECT delivery_status FROM outbox") == "delivered")
        #expect(try await store.recordDeliveryStatus(providerID: "SMnone", status: DeliveryStatus(rawValue: "sent"), at: now) == false)
        #expect(try await fixture.text("SELECT body FROM outbox") == "hello")
        },
        Check(name: "anUndeliveredCodeIsReportedOnlyToTheNumberItWasSentTo") { store, _ in
        // A texter asked for codes: one went to their own number, one to another policyholder's.
        let other = PhoneNumber(e164: "+15551230002")!
        let codes = [other, phone].map { OutboundSMS(kind: .otp, to: $0, body: "code", notAfter: now + 300) }
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: [codes[0]])
        }
        let first = try #require(try await store.claimDueOutbound(at: now, limit: 1, lease: 30).first?.id)
        try await store.completeOutbound(id: first, result: .accepted(providerID: "SMother"), at: now)
        #expect(try await store.recordDeliveryStatus(providerID: "SMother", status: DeliveryStatus(rawValue: "undelivered"), at: now))
        let toOther = try await store.processInbound(messageSID: MessageSID("SM2")!, message: message("x", at: now + 1), subjects: []) {
            _, context in InboundDecision(state: .awaitingPolicyNumber, replies: ["\(context.codeDeliveryFailed)"], outbound: [codes[1]])
        }
        #expect(toOther.replies == ["false"], "telling the texter would say the other policy exists")
        let second = try #require(try await store.claimDueOutbound(at: now + 1, limit: 1, lease: 30).first?.id)
        try await store.completeOutbound(id: second, result: .accepted(providerID: "SMown"), at: now + 1)
        #expect(try await store.recordDeliveryStatus(providerID: "SMown", status: DeliveryStatus(rawValue: "failed"), at: now + 1))
        let toOwn = try await store.processInbound(messageSID: MessageSID("SM3")!, message: message("x", at: now + 2), subjects: []) {
            _, context in InboundDecision(state: .awaitingPolicyNumber, replies: ["\(context.codeDeliveryFailed)"])
        }
        #expect(toOwn.replies == ["true"])
        },
        Check(name: "failedAttemptsAreCountedPerNumberAndPolicyUntilCleared") { store, _ in
        let policy = TestPolicies.auto.number
        func failures(at time: Date, sid: String, from texter: PhoneNumber = phone, effects: [Effect] = []) async throws -> Int? {
            let outcome = try await store.processInbound(
                messageSID: MessageSID(sid)!, message: IncomingMessage(from: texter, text: "x", receivedAt: time), subjects: [.policy(policy)]
            ) { _, context in
                InboundDecision(state: .awaitingPolicyNumber, replies: [context.failedAttempts[.policy(policy)].map(String.init) ?? "none"], effects: effects)
            }
            return outcome.replies.first.flatMap { Int($0) }
        }
        let wrong = [Effect.recordFailedAttempt(subject: .policy(policy))]
        let before = try await failures(at: now, sid: "SM1", effects: wrong)
        let afterOne = try await failures(at: now + 1, sid: "SM2", effects: wrong)
        // A state forgotten (LOGOUT, STOP) keeps them: they live outside the conversation.
        let afterTwo = try await failures(at: now + 2, sid: "SM3")
        let otherNumber = try await failures(at: now + 3, sid: "SM4", from: PhoneNumber(e164: "+15559990000")!)
        let beforeClearing = try await failures(at: now + 4, sid: "SM5", effects: [.clearFailedAttempts(subject: .policy(policy))])
        let afterClearing = try await failures(at: now + 5, sid: "SM6")
        #expect([before, afterOne, afterTwo, otherNumber, beforeClearing, afterClearing] == [nil, 1, 2, nil, 2, nil])
        // Several in one message end as if applied one by one, in order (PostgreSQL folds them into one statement).
        let clear = Effect.clearFailedAttempts(subject: .policy(policy))
        _ = try await failures(at: now + 6, sid: "SM7", effects: wrong + wrong)
        let afterTwoInOne = try await failures(at: now + 7, sid: "SM8", effects: [clear] + wrong)
        let afterClearThenWrong = try await failures(at: now + 8, sid: "SM9", effects: wrong + [clear])
        let afterWrongThenClear = try await failures(at: now + 9, sid: "SM10")
        #expect([afterTwoInOne, afterClearThenWrong, afterWrongThenClear] == [2, 1, nil])
        },
        Check(name: "optOutAndAuditEffectsOfOneMessageApplyInOrder") { store, fixture in
        func optedOut(at time: Date, sid: String, effects: [Effect] = []) async throws -> Bool {
            let outcome = try await store.processInbound(messageSID: MessageSID(sid)!, message: message("x", at: time), subjects: []) {
                _, context in InboundDecision(state: .awaitingPolicyNumber, replies: ["\(context.isOptedOut)"], effects: effects)
            }
            return outcome.replies == ["true"]
        }
        _ = try await optedOut(at: now, sid: "SM1", effects: [.setOptedOut(true), .setOptedOut(false), .audit(.optedOut), .audit(.optedIn)])
        let afterOutThenIn = try await optedOut(at: now + 1, sid: "SM2", effects: [.setOptedOut(false), .setOptedOut(true)])
        let afterInThenOut = try await optedOut(at: now + 2, sid: "SM3")
        #expect([afterOutThenIn, afterInThenOut] == [false, true])
        #expect(try await fixture.count("audit_events") == 2)
        #expect(try await fixture.count("audit_events", where: "event = 'opted_in' AND id > (SELECT id FROM audit_events WHERE event = 'opted_out')") == 1)
        },
        Check(name: "accessKeysAreFoundByTheirSecretsDigestUntilRevoked") { store, fixture in
        var random = SystemRandomNumberGenerator()
        let secret = AccessKeySecret.generate(using: &random)
        try await store.createAccessKey(AccessKey(name: "web-chat", role: .verify, createdAt: now), secretDigest: secret.digest)
        await #expect(throws: AccessKeyExists.self) {
            try await store.createAccessKey(AccessKey(name: "web-chat", role: .operator, createdAt: now), secretDigest: "other")
        }
        let found = try await store.accessKey(forSecretDigest: secret.digest, usedAt: now + 5)
        #expect(found?.key == AccessKey(name: "web-chat", role: .verify, createdAt: now, lastUsedAt: now + 5))
        #expect(try await store.accessKey(forSecretDigest: AccessKeySecret.digest(of: secret.text + "x"), usedAt: now) == nil)
        #expect(try await store.accessKeys().map(\.name) == ["web-chat"])
        #expect(try await fixture.count("access_keys", where: "secret_sha256 = '\(secret.digest)'") == 1)
        #expect(try await fixture.count("access_keys", where: "secret_sha256 LIKE '%\(secret.text.dropFirst(7).prefix(16))%'") == 0)
        #expect(try await store.revokeAccessKey(named: "web-chat", at: now + 10))
        #expect(try await store.revokeAccessKey(named: "web-chat", at: now + 11) == false)
        #expect(try await store.revokeAccessKey(named: "nobody", at: now + 11) == false)
        #expect(try await store.accessKey(forSecretDigest: secret.digest, usedAt: now + 12) == nil)
        #expect(try await store.accessKeys().first?.revokedAt == now + 10)
        },
        Check(name: "policiesAreUpsertedWithTheirClaims") { store, fixture in
        try await store.upsertPolicies([TestPolicies.auto, TestPolicies.home], at: now)
        var updated = TestPolicies.auto
        updated.premium = "140.00"
        updated.claims = []
        try await store.upsertPolicies([updated], at: now)
        #expect(try await store.allPolicies() == [updated, TestPolicies.home])
        #expect(try await store.insertMissingPolicies([TestPolicies.auto, TestPolicies.home], at: now) == 0)
        #expect(try await store.allPolicies().first == updated)
        #expect(try await fixture.count("claims") == 0)
        try await store.upsertPolicies([TestPolicies.auto], at: now)
        #expect(try await fixture.count("claims") == 1)
        },
        Check(name: "purgeForgetsWhatIsKeptNoLonger") { store, fixture in
        let done = OutboundSMS(kind: .text, to: PhoneNumber(e164: "+15551230002")!, body: "sent long ago")
        let waiting = OutboundSMS(kind: .text, to: phone, body: "still queued")
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now), subjects: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: ["policy data"], outbound: [done, waiting])
        }
        let sent = try #require(try await store.claimDueOutbound(at: now, limit: 10, lease: 30).first { $0.sms.body == done.body })
        try await store.completeOutbound(id: sent.id, result: .accepted(providerID: "SMdone"), at: now)
        #expect(try await store.purge(at: now + 16 * 60) == 1)
        #expect(try await fixture.count("processed_messages", where: "reply IS NULL") == 1)
        _ = try await store.purge(at: now + 49 * 3600)
        #expect(try await fixture.count("processed_messages") == 0)
        #expect(try await fixture.count("conversations") == 1)
        #expect(try await fixture.count("outbox") == 2)
        _ = try await store.purge(at: now + 31 * 24 * 3600)
        #expect(try await fixture.count("conversations") == 0)
        // A sent SMS (its full number) goes after 30 days; one not yet done stays.
        #expect(try await fixture.count("outbox") == 1)
        #expect(try await fixture.text("SELECT body FROM outbox") == "still queued")
        },
        Check(name: "openingTheStoreAgainMigratesNothingAndKeepsData") { store, fixture in
        try await store.upsertPolicies([TestPolicies.auto], at: now)
        // Several instances starting at once migrate safely.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await fixture.withStore { _ in } } }
            try await group.waitForAll()
        }
        #expect(try await fixture.withStore { try await $0.allPolicies() } == [TestPolicies.auto])
        },
    ]
}
