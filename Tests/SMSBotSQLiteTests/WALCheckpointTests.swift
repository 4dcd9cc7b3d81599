import Foundation
import GRDB
import Logging
import SMSBotCore
import TestSupport
import Testing

import SMSBotStorage
@testable import SMSBotSQLite

/// The background checkpoint: committed rows reach the database file itself without the
/// writer checkpointing (it would only at 4,000 WAL pages).
@Suite(.timeLimit(.minutes(1))) struct WALCheckpointTests {
    private let now = Date(timeIntervalSince1970: 1_795_000_000)

    /// How many policies the database file holds on its own, read from a copy without the WAL.
    private func policiesInFileAlone(_ path: String, folder: TemporaryDirectory) throws -> Int {
        let copy = folder.path("copy-\(UUID().uuidString).sqlite")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        return try DatabaseQueue.console(path: copy).read { db in
            try db.tableExists("policies") ? Int.fetchOne(db, sql: "SELECT count(*) FROM policies") ?? 0 : 0
        }
    }

    @Test func theServiceCopiesCommittedPagesIntoTheDatabaseFile() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        let store = try await SQLiteStore.migrated(path: path)
        try await store.upsertPolicies([TestPolicies.auto, TestPolicies.home], at: now)
        #expect(try policiesInFileAlone(path, folder: folder) == 0, "committed pages start in the WAL")

        let service = Task { try await WALCheckpointService(store: store, logger: Logger(label: "test"), interval: .milliseconds(20)).run() }
        defer { service.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        // A copy taken while a checkpoint writes the file can be torn (SQLite: "malformed"): read again.
        while (try? policiesInFileAlone(path, folder: folder)) != 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try policiesInFileAlone(path, folder: folder) == 2)
        #expect(try await store.allPolicies().count == 2)
    }
}
