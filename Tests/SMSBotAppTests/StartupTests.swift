import Foundation
import HTTPTypes
import HummingbirdTesting
import SMSBotApp
import SMSBotCore
import TestSupport
import Testing

/// Start-up on either store: the schema is migrated before the first request is served, and
/// nothing worth a warning happens on the way (PostgresNIO warns about a query made before its
/// pool runs, which a store opened and migrated in the wrong order does).
@Suite(.timeLimit(.minutes(3))) struct StartupTests {
    @Test(arguments: StoreFixture.Kind.allCases)
    func aNewDatabaseIsMigratedBeforeServingAndStartUpLogsNoWarning(kind: StoreFixture.Kind) async throws {
        let fixture = try await StoreFixture.make(kind)
        do {
            var configuration = AppConfiguration.test(database: fixture.location)
            configuration.secretsKey = Secret(ConversationFlowTests.secretsKey)
            let log = LogCapture()
            // Each start is a new race between the pool starting and the migration's first query.
            for _ in 0..<3 {
                let app = try await buildApplication(configuration, environment: AppEnvironment(logger: log.logger()))
                try await app.test(.live) { client in
                    let health = try await client.execute(uri: "/healthz", method: .get)
                    #expect(health.status == .ok)
                }
            }
            let warnings = log.text.split(separator: "\n").filter { line in
                ["warning", "error", "critical"].contains { line.hasPrefix($0 + " ") }
            }
            #expect(warnings.isEmpty, "\(warnings)")
            #expect(log.text.contains("smsbot configured"))
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }
}
