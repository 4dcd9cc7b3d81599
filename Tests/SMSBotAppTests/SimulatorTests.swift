import Foundation
import SMSBotApp
import SMSBotStorage
import SMSBotCore
import Synchronization
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(3))) struct SimulatorTests {
    /// Runs `script` through the simulator on the demo policies as +15551230001; `<code>` is
    /// replaced by the last code the console sender printed. Returns the transcript and what was not read.
    private func simulate(_ script: [String]) async throws -> (transcript: String, unread: [String]) {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var configuration = AppConfiguration()
        configuration.database = .sqliteFile(path: folder.path("smsbot.sqlite"))
        configuration.loadsDemoPolicies = true
        let output = Mutex<[String]>([])
        let services = try AppServices(
            configuration, environment: AppEnvironment(smsSender: ConsoleSender { line in output.withLock { $0.append(line) } }))
        var script = script
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
        return (output.withLock { $0.joined(separator: "\n") }, script)
    }

    @Test func aScriptedChatGetsTheCodeInlineAndReadsThePolicy() async throws {
        let (transcript, unread) = try await simulate(["Hi", "premium AUTO-1001", "<code>", "3", "CLAIMS", "/quit", "never read"])
        #expect(transcript.contains("bot> Hi, this is Acme Insurance"))
        #expect(transcript.contains("📱 SMS to +1555***0001: Acme Insurance code: "))
        #expect(transcript.contains("bot> Thanks, you're verified. Policy AUTO-1001: premium 128.40 USD, monthly."))
        #expect(transcript.contains("coverage: Liability 100/300/100; collision; comprehensive."))
        #expect(transcript.contains("CLM-77 open"))
        #expect(unread == ["never read"])
    }

    @Test func forgotShowsTheDemoPhonesTwoPoliciesToPickFrom() async throws {
        let (transcript, _) = try await simulate(["FORGOT", "<code>", "B", "2", "/quit"])
        #expect(transcript.contains("bot> If this number is on file with us, we've texted it a 6-digit code"))
        #expect(transcript.contains("📱 SMS to +1555***0001: Acme Insurance code: "))
        #expect(transcript.contains("A AUTO-1001 Auto\nB RENT-4004 Renters"))
        #expect(transcript.contains("bot> Policy RENT-4004: reply 1 STATUS"))
        #expect(transcript.contains("bot> Policy RENT-4004: premium"))
    }
}
