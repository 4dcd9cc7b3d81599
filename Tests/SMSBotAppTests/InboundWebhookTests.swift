import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSBotApp
import SMSBotStorage
import TestSupport
import Testing

/// The inbound webhook rules of SPEC §3, through real HTTP into a real SQLite file.
@Suite(.timeLimit(.minutes(3))) struct InboundWebhookTests {
    private func withApp(
        clock: TestClock = TestClock(),
        logs: LogCapture = LogCapture(),
        configure: (inout AppConfiguration) -> Void = { _ in },
        _ test: @Sendable (any TestClientProtocol, String) async throws -> Void
    ) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let databasePath = folder.path("smsbot.sqlite")
        var configuration = AppConfiguration.test(database: .sqliteFile(path: databasePath))
        configure(&configuration)
        let app = try await buildApplication(
            configuration, environment: AppEnvironment(now: { clock.now }, logger: logs.logger()))
        try await app.test(.live) { client in try await test(client, databasePath) }
    }

    @Test func aSignedMessageGetsTheGreetingAsTwiML() async throws {
        try await withApp { client, database in
            let response = try await client.post(InboundSMS())
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/xml; charset=utf-8")
            #expect(
                response.text
                    == #"<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hi, this is Acme Insurance. To check your policy, reply with your policy number, or FORGOT if you don&apos;t have it. Reply HELP for help, STOP to opt out.</Message></Response>"#
            )
            #expect(try countRows(in: "processed_messages", ofDatabaseAt: database) == 1)
        }
    }

    @Test func aRepeatedMessageSidReturnsTheIdenticalBodyAndIsRecordedOnce() async throws {
        let clock = TestClock()
        try await withApp(clock: clock, configure: { $0.businessName = "Before & After <Co>" }) { client, database in
            let sms = InboundSMS()
            let first = try await client.post(sms)
            clock.advance(by: 60)
            let second = try await client.post(sms)
            #expect(first.status == .ok && second.status == .ok)
            #expect(first.text.contains("Before &amp; After &lt;Co&gt;"))
            #expect(second.text == first.text)
            #expect(try countRows(in: "processed_messages", ofDatabaseAt: database) == 1)
        }
    }

    @Test func aReplayAfterFifteenMinutesChangesNothingAndGetsAnEmptyResponse() async throws {
        let clock = TestClock()
        try await withApp(clock: clock) { client, database in
            let sms = InboundSMS()
            #expect(try await client.post(sms).status == .ok)
            clock.advance(by: 15 * 60 + 1)
            let late = try await client.post(sms)
            #expect(late.status == .ok)
            #expect(late.text == #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#)
            #expect(try countRows(in: "processed_messages", ofDatabaseAt: database) == 1)
        }
    }

    @Test func anUnsignedOrWronglySignedRequestIs403AndStoresNothing() async throws {
        let logs = LogCapture()
        try await withApp(logs: logs) { client, database in
            let sms = InboundSMS()
            let unsigned = try await client.post(rawBody: sms.rawBody, signature: nil)
            let wrongKey = try await client.post(sms, signature: sms.signature(key: "another-token-another-token-0000"))
            let otherPath = try await client.post(sms, signature: sms.signature(path: "/elsewhere"))
            var tampered = sms
            tampered.body = "Hello!"
            let tamperedBody = try await client.post(tampered, signature: sms.signature())
            for response in [unsigned, wrongKey, otherPath, tamperedBody] {
                #expect(response.status == .forbidden)
                #expect(response.text == "request signature is missing or invalid\n")
            }
            #expect(try countRows(in: "processed_messages", ofDatabaseAt: database) == 0)
        }
        #expect(logs.text.contains("url=https://bot.example.com/twilio/sms"))
        #expect(!logs.text.contains(TestTwilio.authToken))
        #expect(!logs.text.contains("+15551230001"))
    }

    @Test func anotherAccountSidIs403() async throws {
        try await withApp { client, database in
            var sms = InboundSMS()
            sms.accountSID = "AC" + String(repeating: "f", count: 32)
            let response = try await client.post(sms)
            #expect(response.status == .forbidden)
            #expect(response.text == "AccountSid does not match this server's account\n")
            #expect(try countRows(in: "processed_messages", ofDatabaseAt: database) == 0)
        }
    }

    @Test(arguments: ["text/plain", "application/json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=latin1"])
    func anotherContentTypeIs415(contentType: String) async throws {
        try await withApp { client, _ in
            let response = try await client.post(InboundSMS(), contentType: contentType)
            #expect(response.status == .unsupportedMediaType)
        }
    }

    @Test func theFormContentTypeIsMatchedWhateverItsCaseAndCharset() async throws {
        try await withApp { client, _ in
            let response = try await client.post(InboundSMS(), contentType: "Application/X-WWW-Form-URLEncoded; charset=UTF-8")
            #expect(response.status == .ok)
        }
    }

    @Test func aBodyOver64KiBIs413() async throws {
        try await withApp { client, database in
            var sms = InboundSMS()
            sms.body = String(repeating: "a", count: 64 * 1024)
            let response = try await client.post(sms)
            #expect(response.status == .contentTooLarge)
            #expect(try countRows(in: "processed_messages", ofDatabaseAt: database) == 0)
        }
    }

    @Test(arguments: ["MessageSid", "AccountSid", "From", "To"])
    func aMissingRequiredFieldIs400NamingIt(field: String) async throws {
        try await withApp { client, database in
            let sms = InboundSMS()
            let parameters = sms.parameters.filter { $0.name != field }
            let rawBody = parameters.map { "\(InboundSMS.escape($0.name))=\(InboundSMS.escape($0.value))" }.joined(separator: "&")
            let signature = signForTestServer(parameters)
            let response = try await client.post(rawBody: rawBody, signature: signature)
            #expect(response.status == .badRequest)
            #expect(response.text == "missing required field \(field)\n")
            #expect(try countRows(in: "processed_messages", ofDatabaseAt: database) == 0)
        }
    }

    @Test func anEmptyOrMissingBodyIsAccepted() async throws {
        try await withApp { client, _ in
            var sms = InboundSMS()
            sms.body = ""
            let empty = try await client.post(sms)
            let parameters = InboundSMS().parameters.filter { $0.name != "Body" }
            let rawBody = parameters.map { "\(InboundSMS.escape($0.name))=\(InboundSMS.escape($0.value))" }.joined(separator: "&")
            let missing = try await client.post(rawBody: rawBody, signature: signForTestServer(parameters))
            #expect(empty.status == .ok)
            #expect(missing.status == .ok)
        }
    }

    @Test(arguments: ["15551230001", "+1 555 123 0001", "whatsapp:555", "+1555abc0001", "sip:alice@example.com"])
    func aMalformedFromIs400(from: String) async throws {
        try await withApp { client, _ in
            var sms = InboundSMS()
            sms.from = from
            let response = try await client.post(sms)
            #expect(response.status == .badRequest)
            #expect(response.text == "From is not an E.164 phone number\n")
        }
    }

    @Test func aWhatsAppSenderIsAccepted() async throws {
        try await withApp { client, _ in
            var sms = InboundSMS()
            sms.from = "whatsapp:+15551230001"
            let response = try await client.post(sms)
            #expect(response.status == .ok)
        }
    }

    @Test func aMalformedEscapeIs400() async throws {
        try await withApp { client, _ in
            let response = try await client.post(rawBody: InboundSMS().rawBody + "&Body=%ZZ", signature: nil)
            #expect(response.status == .badRequest)
            #expect(response.text == "malformed percent escape in form field 7\n")
        }
    }

    @Test func moreThan256FieldsAre400BeforeAnySignatureWork() async throws {
        try await withApp { client, _ in
            // 64 KiB of "a&a&…" would be 32,768 fields to allocate and sort.
            let flood = try await client.post(rawBody: String(repeating: "a&", count: 32_000), signature: nil)
            #expect(flood.status == .badRequest)
            #expect(flood.text == "more than 256 form fields\n")
            var sms = InboundSMS()
            sms.extra = (0..<251).map { ("X\($0)", "1") }  // 256 fields with the five required
            #expect(try await client.post(sms).status == .ok)
            sms.extra.append(("X251", "1"))
            #expect(try await client.post(sms).status == .badRequest, "257 fields, validly signed")
        }
    }

    @Test func everyOtherParameterTwilioSendsIsAccepted() async throws {
        try await withApp { client, _ in
            var sms = InboundSMS()
            sms.extra = [
                ("NumMedia", "0"), ("NumSegments", "1"), ("SmsStatus", "received"), ("ApiVersion", "2010-04-01"),
                ("FromCity", "SAN FRANCISCO"), ("ToZip", ""), ("OptOutType", "HELP"), ("Tag", "b"), ("Tag", "a"),
            ]
            let response = try await client.post(sms)
            #expect(response.status == .ok)
        }
    }

    @Test func withoutAnAuthTokenTheServerRunsInDevelopmentModeAndSaysSo() async throws {
        let logs = LogCapture()
        try await withApp(logs: logs, configure: { $0.twilio.authToken = nil }) { client, _ in
            let response = try await client.post(rawBody: InboundSMS().rawBody, signature: nil)
            #expect(response.status == .ok)
        }
        #expect(logs.text.contains("DEVELOPMENT MODE"))
    }

    @Test func aStoreFailureIs503AndHealthSaysSo() async throws {
        try await withApp { client, database in
            #expect(try await client.execute(uri: "/healthz", method: .get).text == #"{"status":"ok"}"#)
            try breakSchema(ofDatabaseAt: database)
            let response = try await client.post(InboundSMS())
            #expect(response.status == .serviceUnavailable)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .serviceUnavailable)
        }
    }
}

/// Drops a table behind the running app's back, so every later statement that needs it fails.
private func breakSchema(ofDatabaseAt path: String) throws {
    let queue = try DatabaseQueue.console(path: path)
    try queue.write { db in try db.execute(sql: "DROP TABLE processed_messages") }
}
