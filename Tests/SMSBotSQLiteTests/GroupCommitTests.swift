import Foundation
import GRDB
import Synchronization
import TestSupport
import Testing

import SMSBotStorage
@testable import SMSBotSQLite

/// Group commit through a real SQLite file: concurrent work shares transactions, yet each
/// job's writes stand or fall alone and nobody hears of success before the commit.
@Suite struct GroupCommitTests {
    private struct Refused: Error {}

    /// Counts the commits of the connection it observes.
    private final class CommitCounter: TransactionObserver, Sendable {
        let commits = Atomic<Int>(0)
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { commits.add(1, ordering: .relaxed) }
        func databaseDidRollback(_ db: Database) {}
    }

    @Test func concurrentJobsShareCommitsAndAFailingJobRollsBackAlone() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let pool = try DatabasePool(path: folder.path("group.sqlite"))
        try await pool.write { db in try db.execute(sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, job INTEGER NOT NULL)") }
        let counter = CommitCounter()
        try await pool.write { db in db.add(transactionObserver: counter, extent: .databaseLifetime) }
        let groupCommit = GroupCommit(writer: pool)
        let jobs = 200

        let results = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            for job in 0..<jobs {
                group.addTask {
                    do {
                        let count = try await groupCommit.write { db -> Int in
                            try db.execute(sql: "INSERT INTO items (job) VALUES (?)", arguments: [job])
                            if job % 10 == 3 { throw Refused() }  // after writing: its insert must go
                            return try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE job = ?", arguments: [job])!
                        }
                        return (job, .success(count))
                    } catch {
                        return (job, .failure(error))
                    }
                }
            }
            var results: [Int: Result<Int, any Error>] = [:]
            for await (job, result) in group { results[job] = result }
            return results
        }

        for job in 0..<jobs {
            switch results[job]! {
            case .success(let count):
                #expect(job % 10 != 3)
                #expect(count == 1)
            case .failure(let error):
                #expect(job % 10 == 3)
                #expect(error is Refused)
            }
        }
        let stored = try await pool.read { db in try Int.fetchAll(db, sql: "SELECT job FROM items ORDER BY job") }
        #expect(stored == (0..<jobs).filter { $0 % 10 != 3 })
        let commits = counter.commits.load(ordering: .relaxed)
        #expect(commits >= 1)
        #expect(commits < jobs / 2, "\(commits) commits for \(jobs) concurrent jobs: they were not grouped")
    }

    @Test func laterJobsSeeWhatEarlierOnesWroteAndAFailedCommitFailsEveryJob() async throws {
        let queue = try DatabaseQueue()
        try await queue.write { db in
            try db.execute(sql: "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            try db.execute(sql: "CREATE TABLE children (parent TEXT NOT NULL REFERENCES counters(name) DEFERRABLE INITIALLY DEFERRED)")
            try db.execute(sql: "INSERT INTO counters VALUES ('a', 0)")
        }
        let groupCommit = GroupCommit(writer: queue)
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await groupCommit.write { db in
                        try db.execute(sql: "UPDATE counters SET value = value + 1 WHERE name = 'a'")
                        return try Int.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'a'")!
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values.sorted() == Array(1...50))

        // A deferred foreign key fails at COMMIT: nothing of the batch may claim success.
        await #expect(throws: DatabaseError.self) {
            try await groupCommit.write { db in
                try db.execute(sql: "INSERT INTO children VALUES ('missing')")
            }
        }
        let children = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM children") }
        #expect(children == 0)
        #expect(try await groupCommit.write { db in try Int.fetchOne(db, sql: "SELECT value FROM counters")! } == 50)
    }
}
