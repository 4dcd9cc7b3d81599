import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import SMSBotApp
import SMSBotStorage
import TestSupport
@testable import SMSBotPostgres
import Testing
import SMSBotCore

/// When PostgreSQL goes away the service says so (503) instead of hanging or half-writing,
/// and picks up where it was once the database is back.
@Suite(.timeLimit(.minutes(3))) struct PostgresOutageTests {
    @Test func healthAndTheWebhookAnswer503WhileTheDatabaseIsGoneAndRecoverAfter() async throws {
        let fixture = try await StoreFixture.make(.postgres)
        let server = try #require(ProcessInfo.processInfo.environment["TEST_DATABASE_URL"])
        guard case .postgres(let url) = fixture.location else { return }
        let name = String(URLComponents(string: url.value)!.path.dropFirst())
        do {
            try await fixture.withStore { try await $0.upsertPolicies([TestPolicies.auto], at: Date()) }
            var configuration = AppConfiguration.test(database: fixture.location)
            configuration.secretsKey = Secret(ConversationFlowTests.secretsKey)
            let sender = RecordingSender()
            let app = try await buildApplication(configuration, environment: AppEnvironment(logger: LogCapture().logger(), smsSender: sender))
            try await app.test(.live) { client in
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                try await Self.rename(name, to: name + "_away", server: server)

                let started = ContinuousClock.now
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .serviceUnavailable)
                var sms = InboundSMS()
                sms.body = "AUTO-1001"
                let refused = try await client.post(sms)
                #expect(refused.status == .serviceUnavailable)
                #expect(ContinuousClock.now - started < .seconds(10), "an outage must be reported within 5 s per request")
                // Keep it away long enough for the pool's reconnect backoff to grow.
                for _ in 0..<6 {
                    _ = try await client.execute(uri: "/healthz", method: .get)
                    try await Task.sleep(for: .seconds(1))
                }

                try await Self.rename(name + "_away", to: name, server: server)
                let back = ContinuousClock.now
                var healthy = false
                while !healthy, ContinuousClock.now - back < .seconds(20) {
                    healthy = try await client.execute(uri: "/healthz", method: .get).status == .ok
                    if !healthy { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(healthy)
                #expect(ContinuousClock.now - back < .seconds(2), "healthy again \(ContinuousClock.now - back) after the database came back")
                // Twilio retries the same message: it is handled now, once, and its code goes out.
                #expect(try await client.post(sms).status == .ok)
                try await sender.waitFor(count: 1, timeout: .seconds(10))
                #expect(sender.messages.count == 1)
            }
            #expect(try await fixture.count("processed_messages") == 1)
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }

    @Test func aDatabaseThatHangsIsReported503WithinFiveSecondsAndRecovers() async throws {
        let fixture = try await StoreFixture.make(.postgres)
        guard case .postgres(let url) = fixture.location else { return }
        do {
            let app = try await buildApplication(
                { var configuration = AppConfiguration.test(database: fixture.location)
                  configuration.secretsKey = Secret(ConversationFlowTests.secretsKey)
                  return configuration }(),
                environment: AppEnvironment(logger: LogCapture().logger(), smsSender: RecordingSender()))
            try await app.test(.live) { client in
                let healthy = try await client.execute(uri: "/healthz", method: .get)
                #expect(healthy.status == .ok)
                // Another session holds every table the webhook needs: queries wait instead of failing.
                try await withPostgres(url: url.value) { blocker in
                    try await blocker.withTransaction(logger: Logger(label: "blocker")) { connection in
                        try await connection.query("LOCK TABLE processed_messages, conversations IN ACCESS EXCLUSIVE MODE", logger: Logger(label: "blocker"))
                        for request in 0..<2 {
                            let started = ContinuousClock.now
                            let response =
                                request == 0
                                ? try await client.execute(uri: "/healthz", method: .get)
                                : try await client.post(InboundSMS())
                            #expect(response.status == .serviceUnavailable)
                            #expect(ContinuousClock.now - started < .seconds(5), "answered after \(ContinuousClock.now - started)")
                        }
                    }
                }
                let back = ContinuousClock.now
                var recovered = false
                while !recovered, ContinuousClock.now - back < .seconds(10) {
                    recovered = try await client.execute(uri: "/healthz", method: .get).status == .ok
                    if !recovered { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(recovered && ContinuousClock.now - back < .seconds(2))
            }
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }

    @Test func anImportKeptWaitingLongerThanTheOperationTimeoutIsNotReportedFailed() async throws {
        let fixture = try await StoreFixture.make(.postgres)
        guard case .postgres(let url) = fixture.location else { return }
        do {
            try await fixture.withStore { _ in }  // migrated
            try await withThrowingTaskGroup(of: Void.self) { group in
                let locked = Latch()
                group.addTask {
                    // Another session holds the policies table for six seconds, past the store's 4 s bound.
                    try await withPostgres(url: url.value) { blocker in
                        try await blocker.withTransaction(logger: Logger(label: "blocker")) { connection in
                            try await connection.query("LOCK TABLE policies IN ACCESS EXCLUSIVE MODE", logger: Logger(label: "blocker"))
                            locked.open()
                            try await Task.sleep(for: .seconds(6))
                        }
                    }
                }
                await locked.wait()
                try await fixture.withStore { try await $0.upsertPolicies([TestPolicies.auto, TestPolicies.home], at: Date()) }
                try await group.waitForAll()
            }
            #expect(try await fixture.count("policies") == 2)
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }

    /// Renames a database, first disconnecting whoever is on it.
    static func rename(_ from: String, to: String, server: String) async throws {
        try await withPostgres(url: server) { client in
            for _ in 0..<50 {
                try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(from)'"))
                do {
                    try await client.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(from) RENAME TO \(to)"))
                    return
                } catch {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            Issue.record("could not rename \(from)")
        }
    }
}
