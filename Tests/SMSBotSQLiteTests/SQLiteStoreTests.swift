import Foundation
import GRDB
import SMSBotCore
import TestSupport
import Testing
import SMSBotStorage
@testable import SMSBotSQLite

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
            let store = try await SQLiteStore.migrated(path: path)
            try await store.upsertPolicies([TestPolicies.auto], at: now)
            let outcome = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("hi", at: now), subjects: []) {
                _, _ in InboundDecision(state: .awaitingPolicyNumber, replies: ["first reply"])
            }
            #expect(outcome == .handled(replies: ["first reply"]))
        }
        let migrations = try await DatabaseQueue.console(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(migrations == ["v1-initial-schema", "v2-verification-failures", "v3-outbox-order", "v4-access-keys", "v5-verifications", "v6-operator", "v7-portal-sessions", "v8-pending-codes", "v9-policies-by-phone"])

        let reopened = try await SQLiteStore.migrated(path: path)
        _ = try await SQLiteStore.migrated(path: path)
        let replay = try await reopened.processInbound(
            messageSID: MessageSID("SM1")!, message: message("hi", at: now + 5), subjects: []
        ) { _, _ in
            Issue.record("a replayed message must not be handled again")
            return InboundDecision(state: .new, replies: [])
        }
        #expect(replay == .replayed(replies: ["first reply"]))
        let next = try await reopened.processInbound(
            messageSID: MessageSID("SM2")!, message: message("AUTO-1001", at: now + 10), subjects: [.policy(TestPolicies.auto.number)]
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

    @Test func theSchemaEnforcesItsIntegrity() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        _ = try await SQLiteStore.migrated(path: path)
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
