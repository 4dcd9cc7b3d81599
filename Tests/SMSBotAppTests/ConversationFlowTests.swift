import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSBotApp
import SMSBotStorage
import SMSBotCore
import TestSupport
import Testing

/// Whole conversations through real HTTP into `buildApplication` on a real SQLite file.
@Suite(.timeLimit(.minutes(3))) struct ConversationFlowTests {
    struct Harness {
        let client: any TestClientProtocol
        let sender: RecordingSender
        let fixture: StoreFixture

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

    static let secretsKey = "conversation-flow-tests-secrets-key-0123456789"

    /// Runs the bot on a fresh store of `kind` holding the test policies.
    func withBot(
        _ kind: StoreFixture.Kind,
        logs: LogCapture = LogCapture(),
        configure: (inout AppConfiguration) -> Void = { _ in },
        _ test: @Sendable (Harness) async throws -> Void
    ) async throws {
        let fixture = try await StoreFixture.make(kind)
        do {
            try await fixture.withStore { try await $0.upsertPolicies([TestPolicies.auto, TestPolicies.home], at: Date()) }
            var configuration = AppConfiguration.test(database: fixture.location)
            configuration.secretsKey = Secret(Self.secretsKey)
            configure(&configuration)
            let sender = RecordingSender()
            let app = try await buildApplication(configuration, environment: AppEnvironment(logger: logs.logger(), smsSender: sender))
            try await app.test(.live) { client in
                try await test(Harness(client: client, sender: sender, fixture: fixture))
            }
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }

    /// Every value of a policy that must stay secret until verification.
    private static let confidential = [
        "Dana", "Reyes", "128.40", "Liability", "collision", "CLM-77", "2300", "Rear bumper", "2026-12-01", "500.00", "active",
        "monthly",
    ]

    @Test(arguments: StoreFixture.Kind.allCases)
    func fromFirstTextToClaimsNothingConfidentialLeaksBeforeVerification(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
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

    @Test(arguments: StoreFixture.Kind.allCases)
    func theCodeGoesOnlyToThePhoneOnFileAndTheReplyIsTheSameForAnUnknownPolicy(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
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

    @Test(arguments: StoreFixture.Kind.allCases)
    func replayingAMessageSidSendsNothingNew(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
            let first = try await bot.text("AUTO-1001", sid: "SM-replay-1")
            try await bot.sender.waitFor(count: 1)
            let second = try await bot.text("AUTO-1001", sid: "SM-replay-1")
            try await Task.sleep(for: .milliseconds(300))
            #expect(first == second)
            #expect(bot.sender.messages.count == 1)
            #expect(try await bot.fixture.count("outbox") == 1)
            #expect(try await bot.fixture.count("otp_challenges") == 1)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aConcurrentBurstFromOneNumberLeavesExactlyOneLiveCode(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
            try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<8 {
                    group.addTask { try await bot.text("AUTO-1001") }
                }
                for try await replies in group { #expect(replies.count == 1) }
            }
            try await bot.sender.waitFor(count: 1)
            try await Task.sleep(for: .milliseconds(200))
            let codes = bot.sender.codes(to: "+15551230001")
            // The policy number again while its code is pending is a RESEND: the rest were told to wait.
            #expect(codes.count == 1)
            let live = try await liveCodes(among: codes, fixture: bot.fixture)
            #expect(live.count == 1)
            #expect(live.first == codes.last)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func stopThenAPolicyNumberSendsNothing(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
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

    @Test(arguments: StoreFixture.Kind.allCases)
    func aMediaMessageGetsATextOnlyReply(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
            var sms = InboundSMS()
            sms.extra = [("NumMedia", "1"), ("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1")]
            let response = try await bot.client.post(sms)
            #expect(try MessageTexts(parsing: response.text).texts.first?.contains("only read text") == true)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func noSecretOTPOrFullNumberReachesTheLogs(kind: StoreFixture.Kind) async throws {
        let logs = LogCapture()
        let secretsKey = "k3y-" + String(repeating: "s", count: 40)
        try await withBot(kind, logs: logs, configure: { $0.secretsKey = Secret(secretsKey) }) { bot in
            _ = try await bot.text("Hi")
            _ = try await bot.text("premium AUTO-1001")
            try await bot.sender.waitFor(count: 1)
            let code = try #require(bot.sender.codes(to: "+15551230001").first)
            _ = try await bot.text("000000" == code ? "111111" : "000000")
            _ = try await bot.text(code)
            _ = try await bot.text("CLAIMS")
            _ = try await bot.text("LOGOUT")
            _ = try await bot.text("FORGOT")
            try await bot.sender.waitFor(count: 2)
            let forgotCode = try #require(bot.sender.codes(to: "+15551230001").last)
            _ = try await bot.text(forgotCode)
            _ = try await bot.text("STOP")
            var unsigned = InboundSMS()
            unsigned.body = "AUTO-1001"
            _ = try await bot.client.post(rawBody: unsigned.rawBody, signature: "bm9wZQ==")
            let text = logs.text
            #expect(text.contains("+1555***0001"), "the logs should mention the masked number")
            for secret in [code, forgotCode, TestTwilio.authToken, secretsKey, "+15551230001", "15551230001", "Dana", "128.40"] {
                #expect(!text.contains(secret), "\(secret) reached the logs")
            }
        }
    }
}

/// The codes among `codes` that the conversation's pending state would accept.
func liveCodes(among codes: [String], fixture: StoreFixture, phone: String = "+15551230001") async throws -> [String] {
    let hasher = CodeHasher(key: Data(ConversationFlowTests.secretsKey.utf8))
    guard case .codePending(let pending) = try await fixture.conversationState(of: phone) else { return [] }
    let requester = PhoneNumber(e164: phone)!
    return codes.filter { hasher.matches($0, hash: pending.codeHash, for: CodeBinding(requester: requester, subject: pending.subject)) }
}
