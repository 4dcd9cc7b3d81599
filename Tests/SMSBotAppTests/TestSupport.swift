import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SMSBotApp
import SMSBotCore
import Synchronization
import TwilioKit
import SMSBotStorage
@testable import SMSBotSQLite

/// Paths of the checkout the tests run from.
enum TestPaths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The SMS templates' source folder, compiled into the app.
    static let smsTemplates = repositoryRoot.appendingPathComponent("Templates/sms").path
    static let configFile = repositoryRoot.appendingPathComponent("Config/smsbot.yaml").path
}

/// The Twilio identity of the test server.
enum TestTwilio {
    static let accountSID = "AC0123456789abcdef0123456789abcdef"
    static let authToken = "12345678901234567890123456789012"
    static let publicURL = "https://bot.example.com"
}

extension AppConfiguration {
    /// A signed-webhook configuration listening on 127.0.0.1, port 0.
    static func test(database: DatabaseLocation = .sqliteInMemory) -> AppConfiguration {
        var configuration = AppConfiguration()
        configuration.http.port = 0
        configuration.database = database
        configuration.publicURL = TestTwilio.publicURL
        configuration.twilio.accountSID = TestTwilio.accountSID
        configuration.twilio.authToken = Secret(TestTwilio.authToken)
        return configuration
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let date: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        date = Mutex(start)
    }

    var now: Date { date.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        date.withLock { $0 += seconds }
    }
}

/// An inbound SMS webhook as Twilio would post it: urlencoded, and signed unless told otherwise.
struct InboundSMS {
    var messageSID = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    var accountSID = TestTwilio.accountSID
    var from = "+15551230001"
    var to = "+15550009999"
    var body = "Hello"
    var extra: [(String, String)] = [("NumMedia", "0")]

    var parameters: [(name: String, value: String)] {
        [("MessageSid", messageSID), ("AccountSid", accountSID), ("From", from), ("To", to), ("Body", body)] + extra
    }

    var rawBody: String {
        parameters.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
    }

    func signature(path: String = "/twilio/sms", key: String = TestTwilio.authToken) -> String {
        signForTestServer(parameters, path: path, key: key)
    }

    /// Form-encodes as Twilio does: unreserved characters kept, space as `+`, the rest escaped.
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._* ")
        allowed = allowed.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: " ", with: "+")
    }
}

extension TestClientProtocol {
    /// Posts `sms` to the inbound webhook, signed correctly unless `signature` says otherwise.
    func post(
        _ sms: InboundSMS,
        path: String = "/twilio/sms",
        signature: String? = nil,
        contentType: String = "application/x-www-form-urlencoded"
    ) async throws -> TestResponse {
        try await post(rawBody: sms.rawBody, path: path, signature: signature ?? sms.signature(path: path), contentType: contentType)
    }

    /// Posts a raw body to `path` with the given signature header (none when `nil`).
    func post(
        rawBody: String,
        path: String = "/twilio/sms",
        signature: String?,
        contentType: String = "application/x-www-form-urlencoded",
        extraHeaders: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let signature { headers[HTTPField.Name("X-Twilio-Signature")!] = signature }
        headers.append(contentsOf: extraHeaders)
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: rawBody))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// The signature Twilio would send to the test server for `parameters` posted to `path`.
func signForTestServer(
    _ parameters: [(name: String, value: String)], path: String = "/twilio/sms", key: String = TestTwilio.authToken
) -> String {
    WebhookSignature.compute(url: TestTwilio.publicURL + path, parameters: FormParameters(parameters), key: key, algorithm: .hmacSHA1)
}

/// Reads a store's SQLite file directly, as an operator would with `sqlite3`.

/// A log handler that keeps every rendered line, for asserting what reaches the logs.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func logger() -> Logger {
        var logger = Logger(label: "smsbot-test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
        }
    }
}

/// An SMS sender that keeps what it was given, standing in for the console in tests.
final class RecordingSender: SMSSender {
    private let sent = Mutex<[OutboundSMS]>([])

    var messages: [OutboundSMS] { sent.withLock { $0 } }

    func send(_ sms: OutboundSMS) async throws(SMSSendError) -> String? {
        sent.withLock { $0.append(sms) }
        return nil
    }

    /// The codes texted to `phone`, oldest first, read out of the OTP SMS.
    func codes(to phone: String) -> [String] {
        messages.filter { $0.to.e164 == phone }.compactMap { sms in
            sms.body.firstMatch(of: /code: (\d+)/).map { String($0.1) }
        }
    }

    /// Waits until `count` SMS were sent (the outbox worker runs in the background).
    func waitFor(count: Int, timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        while messages.count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
