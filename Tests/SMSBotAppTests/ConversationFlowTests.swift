import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSBotApp
import SMSBotCore
import TestSupport
import Testing

/// Whole conversations through real HTTP into `buildApplication` on a real SQLite file.
@Suite struct ConversationFlowTests {
    struct Harness {
        let client: any TestClientProtocol
        let sender: RecordingSender
        let databasePath: String

        func text(_ body: String, from: String = "+15551230001", sid: String? = nil) async throws -> [String] {
            var sms = InboundSMS()
            sms.from = from
            sms.body = body
            if let sid { sms.messageSID = sid }
            let response = try await client.post(sms)
            #expect(response.status == .ok)
            return try MessageTexts(parsing: response.text).texts
        }
    }

    private func withBot(
        logs: LogCapture = LogCapture(),
        configure: (inout AppConfiguration) -> Void = { _ in },
        _ test: @Sendable (Harness) async throws -> Void
    ) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let databasePath = folder.path("smsbot.sqlite")
        let store = try SQLiteStore(path: databasePath)
        try await store.upsertPolicies([TestPolicies.auto, TestPolicies.home], at: Date())
        var configuration = AppConfiguration.test(database: .sqliteFile(path: databasePath))
        configure(&configuration)
        let sender = RecordingSender()
        let app = try await buildApplication(configuration, environment: AppEnvironment(logger: logs.logger(), smsSender: sender))
        try await app.test(.live) { client in
            try await test(Harness(client: client, sender: sender, databasePath: databasePath))
        }
    }

    /// Every value of a policy that must stay secret until verification.
    private static let confidential = [
        "Dana", "Reyes", "128.40", "Liability", "collision", "CLM-77", "2300", "Rear bumper", "2026-12-01", "500.00", "active",
        "monthly",
    ]

    @Test func fromFirstTextToClaimsNothingConfidentialLeaksBeforeVerification() async throws {
        try await withBot { bot in
            var beforeVerification: [String] = []
            beforeVerification += try await bot.text("Hi")
            #expect(beforeVerification.first?.contains("Acme Insurance") == true)
            beforeVerification += try await bot.text("claims for auto-1001 please")
            try await bot.sender.waitFor(count: 1)
            let code = try #require(bot.sender.codes(to: "+15551230001").first)
            #expect(!beforeVerification.joined().contains(code))
            beforeVerification += try await bot.text("STATUS")
            beforeVerification += try await bot.text("MENU")

            let outbound = bot.sender.messages.map(\.body).joined(separator: "\n")
            for secret in Self.confidential {
                #expect(!beforeVerification.joined(separator: "\n").contains(secret), "\(secret) leaked before verification")
                #expect(!outbound.contains(secret), "\(secret) leaked in the OTP SMS")
            }

            let answer = try await bot.text(code)
            #expect(answer.count == 1)
            #expect(answer[0].contains("CLM-77") && answer[0].contains("Rear bumper"))
            let premium = try await bot.text("2")
            #expect(premium[0].contains("128.40 USD") && premium[0].contains("2026-12-01"))
            let coverage = try await bot.text("what is my coverage?")
            #expect(coverage[0].contains("Liability 100/300/100; collision"))
            let status = try await bot.text("1")
            #expect(status[0].contains("Dana Reyes") && status[0].contains("active"))
            let logout = try await bot.text("LOGOUT")
            #expect(logout[0].contains("logged out"))
            let afterLogout = try await bot.text("STATUS")
            #expect(!afterLogout.joined().contains("Dana"))
        }
    }

    @Test func theCodeGoesOnlyToThePhoneOnFileAndTheReplyIsTheSameForAnUnknownPolicy() async throws {
        try await withBot { bot in
            let known = try await bot.text("HOME-2002", from: "+15559990000")
            let unknown = try await bot.text("HOME-9999", from: "+15559990001")
            #expect(known == unknown)
            try await bot.sender.waitFor(count: 1)
            try await Task.sleep(for: .milliseconds(200))
            #expect(bot.sender.messages.map(\.to.e164) == ["+15551230002"])
            let otp = bot.sender.messages[0].body
            #expect(otp.contains("Acme Insurance") && otp.contains("5 min") && otp.contains("never ask"))
        }
    }

    @Test func replayingAMessageSidSendsNothingNew() async throws {
        try await withBot { bot in
            let first = try await bot.text("AUTO-1001", sid: "SM-replay-1")
            try await bot.sender.waitFor(count: 1)
            let second = try await bot.text("AUTO-1001", sid: "SM-replay-1")
            try await Task.sleep(for: .milliseconds(300))
            #expect(first == second)
            #expect(bot.sender.messages.count == 1)
            #expect(try countRows(in: "outbox", ofDatabaseAt: bot.databasePath) == 1)
            #expect(try countRows(in: "otp_challenges", ofDatabaseAt: bot.databasePath) == 1)
        }
    }

    @Test func aConcurrentBurstFromOneNumberLeavesExactlyOneLiveCode() async throws {
        try await withBot { bot in
            try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<8 {
                    group.addTask { try await bot.text("AUTO-1001") }
                }
                for try await replies in group { #expect(replies.count == 1) }
            }
            try await bot.sender.waitFor(count: 5)
            try await Task.sleep(for: .milliseconds(200))
            let codes = bot.sender.codes(to: "+15551230001")
            #expect(codes.count == 5)  // otp.maxSendsPerHour; the rest were told to wait
            let live = try liveCodes(among: codes, databasePath: bot.databasePath)
            #expect(live.count == 1)
            #expect(live.first == codes.last)
        }
    }

    @Test func stopThenAPolicyNumberSendsNothing() async throws {
        try await withBot { bot in
            #expect(try await bot.text("STOP").isEmpty)
            #expect(try await bot.text("AUTO-1001").isEmpty)
            #expect(try await bot.text("RESEND").isEmpty)
            try await Task.sleep(for: .milliseconds(300))
            #expect(bot.sender.messages.isEmpty)
            #expect(try await bot.text("START").first?.contains("Acme Insurance") == true)
            _ = try await bot.text("AUTO-1001")
            try await bot.sender.waitFor(count: 1)
            #expect(bot.sender.messages.count == 1)
        }
    }

    @Test func aMediaMessageGetsATextOnlyReply() async throws {
        try await withBot { bot in
            var sms = InboundSMS()
            sms.extra = [("NumMedia", "1"), ("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1")]
            let response = try await bot.client.post(sms)
            #expect(try MessageTexts(parsing: response.text).texts.first?.contains("only read text") == true)
        }
    }

    @Test func noSecretOTPOrFullNumberReachesTheLogs() async throws {
        let logs = LogCapture()
        let secretsKey = "k3y-" + String(repeating: "s", count: 40)
        try await withBot(logs: logs, configure: { $0.secretsKey = Secret(secretsKey) }) { bot in
            _ = try await bot.text("Hi")
            _ = try await bot.text("premium AUTO-1001")
            try await bot.sender.waitFor(count: 1)
            let code = try #require(bot.sender.codes(to: "+15551230001").first)
            _ = try await bot.text("000000" == code ? "111111" : "000000")
            _ = try await bot.text(code)
            _ = try await bot.text("CLAIMS")
            _ = try await bot.text("STOP")
            var unsigned = InboundSMS()
            unsigned.body = "AUTO-1001"
            _ = try await bot.client.post(rawBody: unsigned.rawBody, signature: "bm9wZQ==")
            let text = logs.text
            #expect(text.contains("+1555***0001"), "the logs should mention the masked number")
            for secret in [code, TestTwilio.authToken, secretsKey, "+15551230001", "15551230001", "Dana", "128.40"] {
                #expect(!text.contains(secret), "\(secret) reached the logs")
            }
        }
    }
}

/// The codes among `codes` that the conversation's pending state would accept.
private func liveCodes(among codes: [String], databasePath: String) throws -> [String] {
    let folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
    let key = try Data(contentsOf: folder.appendingPathComponent("secret.key"))
    let hasher = CodeHasher(key: key)
    let stateData = try DatabaseQueue(path: databasePath).read { db in
        try Data.fetchOne(db, sql: "SELECT state FROM conversations WHERE phone = '+15551230001'")
    }
    let state = try JSONDecoder().decode(ConversationState.self, from: try #require(stateData))
    guard case .codePending(let pending) = state else { return [] }
    let phone = PhoneNumber(e164: "+15551230001")!
    return codes.filter { hasher.matches($0, hash: pending.codeHash, requester: phone, policy: pending.policy) }
}
