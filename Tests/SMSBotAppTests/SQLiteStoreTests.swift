import Foundation
import GRDB
import SMSBotApp
import SMSBotCore
import Testing

@Suite struct SQLiteStoreTests {
    private let phone = PhoneNumber(e164: "+15551230001")!
    private let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func openingTheSameFileAgainMigratesNothingAndKeepsData() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("nested/dir/smsbot.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            let outcome = try await store.processInbound(messageSID: MessageSID("SM1")!, from: phone, at: now) { conversation in
                conversation.state = Data(#"{"stage":"x"}"#.utf8)
                return ["first reply"]
            }
            #expect(outcome == .handled(replies: ["first reply"]))
        }
        let migrations = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(migrations == ["v1-initial-schema"])

        let reopened = try SQLiteStore(path: path)
        _ = try SQLiteStore(path: path)
        let replay = try await reopened.processInbound(messageSID: MessageSID("SM1")!, from: phone, at: now.addingTimeInterval(5)) { _ in
            Issue.record("a replayed message must not be handled again")
            return []
        }
        #expect(replay == .replayed(replies: ["first reply"]))
        let next = try await reopened.processInbound(messageSID: MessageSID("SM2")!, from: phone, at: now.addingTimeInterval(10)) { conversation in
            #expect(conversation.state == Data(#"{"stage":"x"}"#.utf8))
            #expect(conversation.updatedAt == now)
            return []
        }
        #expect(next == .handled(replies: []))
        #expect(try countRows(in: "conversations", ofDatabaseAt: path) == 1)
        #expect(try countRows(in: "processed_messages", ofDatabaseAt: path) == 2)
    }

    @Test func anEmptiedStateForgetsTheConversation() async throws {
        let store = try SQLiteStore()
        _ = try await store.processInbound(messageSID: MessageSID("SM1")!, from: phone, at: now) { conversation in
            conversation.state = Data("1".utf8)
            return []
        }
        _ = try await store.processInbound(messageSID: MessageSID("SM2")!, from: phone, at: now) { conversation in
            #expect(!conversation.isNew)
            conversation.state = Data()
            return []
        }
        _ = try await store.processInbound(messageSID: MessageSID("SM3")!, from: phone, at: now) { conversation in
            #expect(conversation.isNew)
            return []
        }
    }

    @Test func concurrentMessagesFromOneNumberAreHandledOneAtATime() async throws {
        let store = try SQLiteStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    _ = try await store.processInbound(messageSID: MessageSID("SM\(index)")!, from: phone, at: now) { conversation in
                        let count = Int(String(decoding: conversation.state, as: UTF8.self)) ?? 0
                        conversation.state = Data(String(count + 1).utf8)
                        return []
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await store.processInbound(messageSID: MessageSID("SM-final")!, from: phone, at: now) { conversation in
            #expect(String(decoding: conversation.state, as: UTF8.self) == "50")
            return []
        }
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
