import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSBotApp
import SMSBotCore
import TestSupport
import Testing
import SMSBotStorage
@testable import SMSBotSQLite

/// Outbound SMS through a running `buildApplication` to a fake Twilio on loopback (SPEC §3).
@Suite(.timeLimit(.minutes(3))) struct OutboundSMSTests {
    struct Bot {
        let client: any TestClientProtocol
        let fake: FakeTwilio
        let databasePath: String

        func text(_ body: String, from: String = "+15551230001") async throws -> [String] {
            var sms = InboundSMS()
            sms.from = from
            sms.body = body
            let response = try await client.post(sms)
            #expect(response.status == .ok)
            return try MessageTexts(parsing: response.text).texts
        }

        func status(_ sid: String, _ status: String, signed: Bool = true) async throws -> TestResponse {
            let parameters: [(name: String, value: String)] = [
                ("AccountSid", TestTwilio.accountSID), ("MessageSid", sid), ("MessageStatus", status), ("To", "+15551230001"),
            ]
            let rawBody = parameters.map { "\(InboundSMS.escape($0.name))=\(InboundSMS.escape($0.value))" }.joined(separator: "&")
            return try await client.post(
                rawBody: rawBody, path: "/twilio/status", signature: signed ? signForTestServer(parameters, path: "/twilio/status") : nil)
        }

        func outboxRows() throws -> [Row] {
            try DatabaseQueue.console(path: databasePath).read { db in try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id") }
        }
    }

    static func configuration(databasePath: String, twilioPort: Int) -> AppConfiguration {
        var configuration = AppConfiguration.test(database: .sqliteFile(path: databasePath))
        configuration.sender = .twilio
        configuration.twilio.apiBaseURL = "http://127.0.0.1:\(twilioPort)"
        configuration.twilio.fromNumber = "+15550009999"
        configuration.twilio.timeoutSeconds = 1
        return configuration
    }

    /// Runs the bot with its outbox pointed at `fake`, on a database holding the test policies.
    static func withBot(
        fake: FakeTwilio = FakeTwilio(), clock: TestClock? = nil, folder: TemporaryDirectory? = nil,
        configure: @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ test: @Sendable (Bot) async throws -> Void
    ) async throws {
        let folder = try folder ?? TemporaryDirectory()
        defer { folder.remove() }
        let databasePath = folder.path("smsbot.sqlite")
        try await SQLiteStore.migrated(path: databasePath).upsertPolicies([TestPolicies.auto, TestPolicies.home], at: Date())
        try await fake.application().test(.live) { twilio in
            var configuration = configuration(databasePath: databasePath, twilioPort: twilio.port!)
            configure(&configuration)
            let environment = AppEnvironment(now: { clock?.now ?? Date() }, logger: LogCapture().logger())
            let app = try await buildApplication(configuration, environment: environment)
            try await app.test(.live) { client in
                try await test(Bot(client: client, fake: fake, databasePath: databasePath))
            }
        }
        #expect(fake.unexpectedRequests.isEmpty)
    }

    @Test func theCodeIsDeliveredOnceWithEverythingTwilioNeeds() async throws {
        try await Self.withBot { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(1)
            // The result is written after Twilio answered: on a loaded machine that takes a while.
            let deadline = ContinuousClock.now + .seconds(10)
            while try bot.outboxRows().first?["status"] != "sent", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(bot.fake.calls.count == 1)
            let call = try #require(bot.fake.calls.first)
            #expect(call.accountSID == TestTwilio.accountSID)
            #expect(call.authorization == "Basic " + Data("\(TestTwilio.accountSID):\(TestTwilio.authToken)".utf8).base64EncodedString())
            #expect(call.form["To"] == "+15551230001")
            #expect(call.form["From"] == "+15550009999")
            #expect(call.form["StatusCallback"] == "https://bot.example.com/twilio/status")
            let validity = try #require(call.form["ValidityPeriod"].flatMap(Int.init))
            #expect((295...300).contains(validity))
            let body = try #require(call.form["Body"])
            #expect(body.hasPrefix("Acme Insurance code: ") && body.contains("Valid 5 min"))

            let code = try #require(body.firstMatch(of: /code: (\d+)/).map { String($0.1) })
            let rows = try bot.outboxRows()
            #expect(rows.count == 1)
            #expect(rows[0]["status"] == "sent")
            #expect(rows[0]["body"] == String?.none, "the code must be erased once Twilio accepted it")
            #expect(rows[0]["twilio_sid"] == String?.some("SM" + String(format: "%032x", 1)))
            let verified = try await bot.text(code)
            #expect(verified.first?.contains("verified") == true)
        }
    }

    @Test func anAPIKeyAndAMessagingServiceAreUsedWhenConfigured() async throws {
        let keySID = "SK0123456789abcdef0123456789abcdef"
        try await Self.withBot(configure: {
            $0.twilio.apiKeySID = keySID
            $0.twilio.apiKeySecret = Secret("key-secret")
            $0.twilio.messagingServiceSID = "MG0123456789abcdef0123456789abcdef"
        }) { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(1)
            let call = try #require(bot.fake.calls.first)
            #expect(call.authorization == "Basic " + Data("\(keySID):key-secret".utf8).base64EncodedString())
            #expect(call.accountSID == TestTwilio.accountSID)
            #expect(call.form["MessagingServiceSid"] == "MG0123456789abcdef0123456789abcdef" && call.form["From"] == nil)
        }
    }

    @Test func aServiceUnavailableIsRetriedAndDeliveredOnce() async throws {
        let fake = FakeTwilio()
        fake.script(.fail(status: 503, code: nil), .fail(status: 429, code: 20429, retryAfter: 1))
        try await Self.withBot(fake: fake) { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(3, timeout: .seconds(15))
            try await Task.sleep(for: .milliseconds(300))
            #expect(bot.fake.calls.count == 3)
            #expect(try bot.outboxRows().map { $0["status"] as String } == ["sent"])
        }
    }

    @Test func anAmbiguousFailureIsRetriedAtMostOnceAndTheCustomerIsToldOnTheirNextMessage() async throws {
        let fake = FakeTwilio()
        fake.script(.fail(status: 500, code: nil), .delay(.seconds(2)))
        try await Self.withBot(fake: fake) { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(2, timeout: .seconds(15))
            try await Task.sleep(for: .seconds(3))
            #expect(bot.fake.calls.count == 2)
            let row = try #require(try bot.outboxRows().first)
            #expect(row["status"] == "dropped")
            #expect(row["body"] == String?.none)
            let next = try await bot.text("hello?")
            #expect(next.first?.contains("couldn't deliver your code") == true)
            #expect(next.first?.contains("RESEND") == true)
            // Told once only.
            #expect(try await bot.text("hello?").first?.contains("couldn't deliver") == false)
        }
    }

    @Test func anOptedOutRecipientIsNotRetriedAndNeverSentToAgain() async throws {
        let fake = FakeTwilio()
        fake.script(.fail(status: 400, code: 21610))
        try await Self.withBot(fake: fake) { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(1)
            try await Task.sleep(for: .seconds(2))
            #expect(bot.fake.calls.count == 1)
            let row = try #require(try bot.outboxRows().first)
            #expect(row["status"] == "dropped" && row["error_code"] == 21610)
            #expect(try countRows(in: "opt_outs", ofDatabaseAt: bot.databasePath) == 1)
            // The customer texts from the phone on file, which is now opted out: no reply, no SMS.
            #expect(try await bot.text("AUTO-1001").isEmpty)
            try await Task.sleep(for: .seconds(1.5))
            #expect(bot.fake.calls.count == 1)
        }
    }

    @Test func anInvalidNumberIsNotRetried() async throws {
        let fake = FakeTwilio()
        fake.script(.fail(status: 400, code: 21211))
        try await Self.withBot(fake: fake) { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(1)
            try await Task.sleep(for: .seconds(2))
            #expect(bot.fake.calls.count == 1)
            #expect(try bot.outboxRows().first?["error_code"] == 21211)
            #expect(try countRows(in: "opt_outs", ofDatabaseAt: bot.databasePath) == 0)
        }
    }

    @Test func statusCallbacksNeverMoveBackwardsAndMustBeSigned() async throws {
        try await Self.withBot { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(1)
            try await Task.sleep(for: .milliseconds(300))
            let sid: String = try #require(try bot.outboxRows().first?["twilio_sid"])
            #expect(try await bot.status(sid, "delivered", signed: false).status == .forbidden)
            #expect(try bot.outboxRows().first?["delivery_status"] == String?.none)
            for status in ["sent", "delivered", "sent", "queued"] {
                #expect(try await bot.status(sid, status).status == .noContent)
            }
            #expect(try bot.outboxRows().first?["delivery_status"] == "delivered")
            #expect(try await bot.status("SMunknown", "delivered").status == .noContent)
        }
    }

    @Test func anUndeliveredCodeIsToldToTheCustomerWithResendOffered() async throws {
        try await Self.withBot { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(1)
            try await Task.sleep(for: .milliseconds(300))
            let sid: String = try #require(try bot.outboxRows().first?["twilio_sid"])
            _ = try await bot.status(sid, "undelivered")
            let replies = try await bot.text("where is it")
            #expect(replies.count == 2)
            #expect(replies[0].contains("couldn't deliver your code") && replies[0].contains("RESEND"))
        }
    }

    @Test func aRowLeftByAStoppedProcessIsDeliveredAfterRestart() async throws {
        let folder = try TemporaryDirectory()
        let databasePath = folder.path("smsbot.sqlite")
        try await SQLiteStore.migrated(path: databasePath).upsertPolicies([TestPolicies.auto], at: Date())
        // The first process queues the code and stops before its outbox worker ever runs.
        var configuration = Self.configuration(databasePath: databasePath, twilioPort: 9)
        configuration.sender = .console
        let first = try AppServices(configuration, environment: AppEnvironment())
        _ = try await first.conversations.handle(
            IncomingMessage(from: TestPolicies.auto.phone, text: "AUTO-1001", receivedAt: Date()), messageSID: MessageSID("SM-before-crash")!)
        #expect(try countRows(in: "outbox", ofDatabaseAt: databasePath) == 1)

        try await Self.withBot(folder: folder) { bot in
            try await bot.fake.waitForCalls(1)
            #expect(bot.fake.calls.first?.form["To"] == "+15551230001")
        }
    }

    @Test func differentPhonesAreSentToAtOnceAndOnePhoneInQueueOrder() async throws {
        let folder = try TemporaryDirectory()
        let databasePath = folder.path("smsbot.sqlite")
        let store = try await SQLiteStore.migrated(path: databasePath)
        let (first, second) = (TestPolicies.auto.phone, TestPolicies.home.phone)
        let expiry = Date() + 300
        _ = try await store.processInbound(
            messageSID: MessageSID("SM-queue")!, message: IncomingMessage(from: first, text: "x", receivedAt: Date()), subjects: []
        ) { _, _ in
            InboundDecision(
                state: .new, replies: [],
                outbound: [
                    OutboundSMS(kind: .otp, to: first, body: "one", notAfter: expiry),
                    OutboundSMS(kind: .otp, to: first, body: "two", notAfter: expiry),
                    OutboundSMS(kind: .otp, to: second, body: "other", notAfter: expiry),
                ])
        }
        let fake = FakeTwilio()
        fake.script(.delay(.milliseconds(600)))  // whichever send comes first is slow
        try await Self.withBot(fake: fake, folder: folder) { bot in
            // Three calls are not enough: on a loaded machine the slow send can be tried again first.
            let deadline = ContinuousClock.now + .seconds(10)
            while !["one", "two", "other"].allSatisfy(bot.fake.calls.compactMap({ $0.form["Body"] }).contains), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let bodies = bot.fake.calls.compactMap { $0.form["Body"] }
            let one = try #require(bodies.firstIndex(of: "one"), "\(bodies)")
            let two = try #require(bodies.firstIndex(of: "two"), "\(bodies)")
            let other = try #require(bodies.firstIndex(of: "other"), "\(bodies)")
            #expect(one < two, "one phone's SMS go out in the order they were queued")
            #expect(other < two, "the other phone's SMS does not wait for the first phone's: \(bodies)")
        }
    }

    @Test func anExpiredCodeIsNeverSent() async throws {
        let folder = try TemporaryDirectory()
        let databasePath = folder.path("smsbot.sqlite")
        try await SQLiteStore.migrated(path: databasePath).upsertPolicies([TestPolicies.auto], at: Date())
        let clock = TestClock(Date())
        var configuration = Self.configuration(databasePath: databasePath, twilioPort: 9)
        configuration.sender = .console
        let first = try AppServices(configuration, environment: AppEnvironment(now: { clock.now }))
        _ = try await first.conversations.handle(
            IncomingMessage(from: TestPolicies.auto.phone, text: "AUTO-1001", receivedAt: clock.now), messageSID: MessageSID("SM-stale")!)
        clock.advance(by: 301)

        try await Self.withBot(clock: clock, folder: folder) { bot in
            try await Task.sleep(for: .seconds(2))
            #expect(bot.fake.calls.isEmpty)
            let row = try #require(try bot.outboxRows().first)
            #expect(row["status"] == "dropped" && row["body"] == String?.none)
        }
    }

    @Test func metricsShowTheCountersMoving() async throws {
        try await Self.withBot { bot in
            _ = try await bot.text("AUTO-1001")
            try await bot.fake.waitForCalls(1)
            try await Task.sleep(for: .milliseconds(300))
            let code = try #require(bot.fake.calls.first?.form["Body"]?.firstMatch(of: /code: (\d+)/).map { String($0.1) })
            _ = try await bot.text(code)
            _ = try await bot.client.post(rawBody: InboundSMS().rawBody, signature: nil)
            let metrics = try await bot.client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains(#"smsbot_inbound_messages_total{outcome="handled"} 2"#))
            #expect(text.contains(#"smsbot_inbound_messages_total{outcome="403"} 1"#))
            #expect(text.contains(#"smsbot_otp_events_total{event="requested"} 1"#))
            #expect(text.contains(#"smsbot_otp_events_total{event="verified"} 1"#))
            #expect(text.contains(#"smsbot_outbound_sms_total{result="accepted"} 1"#))
            #expect(text.contains("smsbot_webhook_duration_seconds_bucket"))
            #expect(text.contains("smsbot_outbox_depth 0"))
        }
    }
}
