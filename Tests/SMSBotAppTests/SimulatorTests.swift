import Foundation
import SMSBotApp
import SMSBotStorage
import SMSBotCore
import Synchronization
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(3))) struct SimulatorTests {
    @Test func aScriptedChatGetsTheCodeInlineAndReadsThePolicy() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var configuration = AppConfiguration()
        configuration.database = .sqliteFile(path: folder.path("smsbot.sqlite"))
        configuration.loadsDemoPolicies = true
        let output = Mutex<[String]>([])
        let services = try AppServices(
            configuration, environment: AppEnvironment(smsSender: ConsoleSender { line in output.withLock { $0.append(line) } }))
        var script = ["Hi", "premium AUTO-1001", "<code>", "3", "CLAIMS", "/quit", "never read"]
        try await withRunningStore(services.store) { _ in try await services.prepare() }
        try await Simulator(services: services, from: PhoneNumber(e164: "+15551230001")!).run(
            readLine: {
                guard !script.isEmpty else { return nil }
                let line = script.removeFirst()
                guard line == "<code>" else { return line }
                let sms = output.withLock { $0 }.last { $0.hasPrefix("📱 SMS to +1555***0001:") } ?? ""
                return sms.firstMatch(of: /code: (\d+)/).map { String($0.1) } ?? "no code seen"
            },
            write: { line in output.withLock { $0.append(line) } },
            prompt: false)
        let transcript = output.withLock { $0.joined(separator: "\n") }
        #expect(transcript.contains("bot> Hi, this is Acme Insurance"))
        #expect(transcript.contains("📱 SMS to +1555***0001: Acme Insurance code: "))
        #expect(transcript.contains("bot> Thanks, you're verified. Policy AUTO-1001: premium 128.40 USD, monthly."))
        #expect(transcript.contains("coverage: Liability 100/300/100; collision; comprehensive."))
        #expect(transcript.contains("CLM-77 open"))
        #expect(script == ["never read"])
    }
}
