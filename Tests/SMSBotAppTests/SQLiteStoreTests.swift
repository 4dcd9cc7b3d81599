import Foundation
import GRDB
import SMSBotApp
import SMSBotCore
import Testing

@Suite struct SQLiteStoreTests {
    private let phone = PhoneNumber(e164: "+15551230001")!
    private let now = Date(timeIntervalSince1970: 1_795_000_000)

    private func message(_ text: String, at time: Date) -> IncomingMessage {
        IncomingMessage(from: phone, text: text, receivedAt: time)
    }

    @Test func openingTheSameFileAgainMigratesNothingAndKeepsData() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("nested/dir/smsbot.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try await store.upsertPolicies([TestPolicies.auto], at: now)
            let outcome = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("hi", at: now), mentionedPolicies: []) {
                _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: ["first reply"])
            }
            #expect(outcome == .handled(replies: ["first reply"]))
        }
        let migrations = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(migrations == ["v1-initial-schema"])

        let reopened = try SQLiteStore(path: path)
        _ = try SQLiteStore(path: path)
        let replay = try await reopened.processInbound(
            messageSID: MessageSID("SM1")!, message: message("hi", at: now + 5), mentionedPolicies: []
        ) { _, _ in
            Issue.record("a replayed message must not be handled again")
            return InboundDecision(state: .new, replies: [])
        }
        #expect(replay == .replayed(replies: ["first reply"]))
        let next = try await reopened.processInbound(
            messageSID: MessageSID("SM2")!, message: message("AUTO-1001", at: now + 10), mentionedPolicies: [TestPolicies.auto.number]
        ) { state, context in
            #expect(state == .awaitingPolicyNumber)
            #expect(context.policies[TestPolicies.auto.number] == TestPolicies.auto)
            return InboundDecision(state: state, replies: [])
        }
        #expect(next == .handled(replies: []))
        #expect(try await reopened.allPolicies() == [TestPolicies.auto])
        #expect(try countRows(in: "conversations", ofDatabaseAt: path) == 1)
        #expect(try countRows(in: "processed_messages", ofDatabaseAt: path) == 2)
    }

    @Test func aStateBackToNewForgetsTheConversation() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        let store = try SQLiteStore(path: path)
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("hi", at: now), mentionedPolicies: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [])
        }
        #expect(try countRows(in: "conversations", ofDatabaseAt: path) == 1)
        _ = try await store.processInbound(messageSID: MessageSID("SM2")!, message: message("bye", at: now), mentionedPolicies: []) {
            _, _ in InboundDecision(state: .new, replies: [])
        }
        #expect(try countRows(in: "conversations", ofDatabaseAt: path) == 0)
    }

    @Test func concurrentMessagesFromOneNumberAreHandledOneAtATime() async throws {
        let store = try SQLiteStore()
        let policy = TestPolicies.auto.number
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    _ = try await store.processInbound(
                        messageSID: MessageSID("SM\(index)")!, message: message("x", at: now), mentionedPolicies: [policy]
                    ) { _, context in
                        // Each transaction sees every lockout the ones before it recorded.
                        let seen = context.lockouts.count
                        return InboundDecision(
                            state: .awaitingPolicyNumber, replies: ["\(seen)"],
                            effects: [.recordLockout(policy: policy, until: now + 60)])
                    }
                }
            }
            try await group.waitForAll()
        }
        let final = try await store.processInbound(messageSID: MessageSID("SM-final")!, message: message("x", at: now), mentionedPolicies: []) {
            _, context in InboundDecision(state: .awaitingPolicyNumber, replies: ["\(context.lockouts.count)"])
        }
        #expect(final.replies == ["50"])
    }

    @Test func theDecisionIsStoredAtomicallyWithItsEffects() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        let store = try SQLiteStore(path: path)
        try await store.upsertPolicies([TestPolicies.auto], at: now)
        let sms = OutboundSMS(kind: .otp, to: TestPolicies.auto.phone, body: "Acme code: 123456", notAfter: now + 300)
        _ = try await store.processInbound(
            messageSID: MessageSID("SM1")!, message: message("AUTO-1001", at: now), mentionedPolicies: [TestPolicies.auto.number]
        ) { _, _ in
            InboundDecision(
                state: .awaitingPolicyNumber, replies: ["ok"], outbound: [sms],
                effects: [
                    .recordCodeIssued(policy: TestPolicies.auto.number, destination: TestPolicies.auto.phone),
                    .audit(.codeSent(TestPolicies.auto.number)), .setOptedOut(true),
                ])
        }
        for table in ["outbox", "otp_challenges", "audit_events", "opt_outs", "processed_messages", "conversations"] {
            #expect(try countRows(in: table, ofDatabaseAt: path) == 1, "\(table)")
        }
        let audit = try await DatabaseQueue(path: path).read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit_events")! }
        #expect(audit["event"] == "code_sent")
        #expect(audit["phone_masked"] == "+1555***0001")
        #expect(audit["policy_number"] == "AUTO1001")
    }

    @Test func theOutboxHandsOutDueMessagesOnceAndErasesAnAcceptedCode() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        let store = try SQLiteStore(path: path)
        let sms = OutboundSMS(kind: .otp, to: phone, body: "Acme code: 123456", notAfter: now + 300)
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now), mentionedPolicies: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: [], outbound: [sms])
        }
        let claimed = try await store.claimDueOutbound(at: now, limit: 10)
        #expect(claimed.map(\.sms) == [sms])
        #expect(try await store.claimDueOutbound(at: now + 1, limit: 10).isEmpty)
        // A claim whose worker died is handed out again once its short lease runs out.
        let reclaimed = try await store.claimDueOutbound(at: now + 31, limit: 10)
        #expect(reclaimed.map(\.id) == claimed.map(\.id))
        try await store.completeOutbound(id: claimed[0].id, result: .accepted(providerID: "SM-out-1"), at: now + 32)
        #expect(try await store.claimDueOutbound(at: now + 100, limit: 10).isEmpty)
        let body = try await DatabaseQueue(path: path).read { db in try String?.fetchOne(db, sql: "SELECT body FROM outbox") }
        #expect(body == .some(nil))
    }

    @Test func purgeForgetsWhatIsKeptNoLonger() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        let store = try SQLiteStore(path: path)
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("x", at: now), mentionedPolicies: []) {
            _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: ["policy data"])
        }
        _ = try await store.purge(at: now + 16 * 60)
        let reply = try await DatabaseQueue(path: path).read { db in try String?.fetchOne(db, sql: "SELECT reply FROM processed_messages") }
        #expect(reply == .some(nil))
        _ = try await store.purge(at: now + 49 * 3600)
        #expect(try countRows(in: "processed_messages", ofDatabaseAt: path) == 0)
        #expect(try countRows(in: "conversations", ofDatabaseAt: path) == 1)
        _ = try await store.purge(at: now + 31 * 24 * 3600)
        #expect(try countRows(in: "conversations", ofDatabaseAt: path) == 0)
    }

    @Test func theSchemaEnforcesItsIntegrity() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        _ = try SQLiteStore(path: path)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        #expect(throws: DatabaseError.self) {
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO claims (policy_number, claim_number, status, filed_on) VALUES ('NOPE', 'C1', 'open', '2026-01-01')")
            }
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { db in
                try db.execute(sql: "INSERT INTO outbox (kind, to_phone, status, next_attempt_at, created_at, updated_at) VALUES ('fax', '+1', 'pending', 0, 0, 0)")
            }
        }
    }
}
