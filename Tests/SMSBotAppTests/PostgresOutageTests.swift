import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import SMSBotApp
import SMSBotStorage
import TestSupport
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
                #expect(ContinuousClock.now - started < .seconds(30), "an outage must be reported, not waited out")

                try await Self.rename(name + "_away", to: name, server: server)
                var healthy = false
                for _ in 0..<100 where !healthy {
                    healthy = try await client.execute(uri: "/healthz", method: .get).status == .ok
                    if !healthy { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(healthy)
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
