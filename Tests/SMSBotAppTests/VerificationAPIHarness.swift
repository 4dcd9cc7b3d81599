import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSBotApp
import SMSBotCore
import SMSBotStorage
import TestSupport
import Testing

/// The app on a fresh store of one kind, holding access keys (`chat` and `other` of role
/// verify, `ops` of role operator) and the test policies, driven over real HTTP. Every
/// response is checked against the OpenAPI document the server itself serves.
struct VerificationAPIHarness {
    let client: any TestClientProtocol
    let validator: OpenAPIValidator
    let secrets: [String: String]
    let sender: RecordingSender
    let clock: TestClock
    let fixture: StoreFixture

    /// A response, already checked against the document.
    struct Answer {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var id: String { json["id"] as? String ?? "" }
        var verificationStatus: String? { json["status"] as? String }
        var attemptsLeft: Int? { json["attemptsLeft"] as? Int }
    }

    /// Runs `body` against the app on a new store of `kind`. With `twilio`, SMS go through the
    /// Twilio sender to that fake Messages API on loopback instead of the recording sender.
    static func run(
        on kind: StoreFixture.Kind, twilio: FakeTwilio? = nil, configure: @escaping @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (VerificationAPIHarness) async throws -> Void
    ) async throws {
        let fixture = try await StoreFixture.make(kind)
        do {
            if let twilio {
                try await twilio.application().test(.live) { fake in
                    try await run(fixture, configure: { configuration in
                        configuration.sender = .twilio
                        configuration.twilio.apiBaseURL = "http://127.0.0.1:\(fake.port!)"
                        configuration.twilio.fromNumber = "+15550009999"
                        configure(&configuration)
                    }, sender: nil, body)
                }
            } else {
                try await run(fixture, configure: configure, sender: RecordingSender(), body)
            }
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }

    private static func run(
        _ fixture: StoreFixture, configure: (inout AppConfiguration) -> Void, sender: RecordingSender?,
        _ body: @Sendable (VerificationAPIHarness) async throws -> Void
    ) async throws {
        let secrets = try await fixture.withStore { store in
            try await store.upsertPolicies([TestPolicies.auto, TestPolicies.home], at: Date())
            var random = SystemRandomNumberGenerator()
            var secrets: [String: String] = [:]
            for (name, role) in [("chat", AccessKey.Role.verify), ("other", .verify), ("ops", .operator)] {
                let secret = AccessKeySecret.generate(using: &random)
                try await store.createAccessKey(AccessKey(name: name, role: role, createdAt: Date()), secretDigest: secret.digest)
                secrets[name] = secret.text
            }
            return secrets
        }
        var configuration = AppConfiguration.test(database: fixture.location)
        configuration.secretsKey = Secret(String(repeating: "s", count: 40))
        configure(&configuration)
        let clock = TestClock(Date())
        let app = try await buildApplication(
            configuration, environment: AppEnvironment(now: { clock.now }, logger: LogCapture().logger(), smsSender: sender))
        try await app.test(.live) { client in
            let document = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(document.status == .ok && document.headers[.contentType] == "application/json")
            let validator = try OpenAPIValidator(json: Data(String(buffer: document.body).utf8))
            try await body(
                VerificationAPIHarness(
                    client: client, validator: validator, secrets: secrets, sender: sender ?? RecordingSender(), clock: clock, fixture: fixture))
        }
    }

    /// `method path` with the key's bearer secret (`nil`: none) and a JSON body.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ path: String, key: String? = "chat", json: String? = nil,
        contentType: String = "application/json", headers: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Answer {
        var all = headers
        if let key { all[.authorization] = "Bearer \(secrets[key] ?? key)" }
        if json != nil { all[.contentType] = contentType }
        let response = try await client.execute(
            uri: path, method: method, headers: all, body: json.map { ByteBuffer(string: $0) })
        let answer = Answer(status: response.status, headers: response.headers, text: String(buffer: response.body))
        var headerValues: [String: String] = [:]
        for field in response.headers { headerValues[field.name.canonicalName] = field.value }
        let problems = validator.problems(
            method: method.rawValue, path: path, status: response.status.code, contentType: response.headers[.contentType],
            headers: headerValues, body: Data(answer.text.utf8))
        #expect(problems.isEmpty, "\(method) \(path) → \(response.status.code): \(problems) \(answer.text)", sourceLocation: sourceLocation)
        return answer
    }

    /// Texts `body` from `phone` to the webhook; the reply texts.
    @discardableResult
    func text(_ body: String, from phone: String) async throws -> [String] {
        var sms = InboundSMS()
        sms.from = phone
        sms.body = body
        let response = try await client.post(sms)
        #expect(response.status == .ok)
        return try MessageTexts(parsing: response.text).texts
    }

    /// `POST /api/v1/verifications` with `json`.
    @discardableResult
    func create(_ json: String, key: String = "chat", headers: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> Answer
    {
        try await send(.post, "/api/v1/verifications", key: key, json: json, headers: headers, sourceLocation: sourceLocation)
    }

    /// `POST /api/v1/verifications/ID/check` with `code`.
    @discardableResult
    func check(_ id: String, code: String, key: String = "chat", sourceLocation: SourceLocation = #_sourceLocation) async throws -> Answer {
        try await send(.post, "/api/v1/verifications/\(id)/check", key: key, json: #"{"code": "\#(code)"}"#, sourceLocation: sourceLocation)
    }

    /// The codes texted to `phone` so far, after waiting for `count` SMS in all.
    func codes(to phone: String, afterSMS count: Int) async throws -> [String] {
        try await sender.waitFor(count: count)
        return sender.codes(to: phone)
    }

    /// A code other than `code`.
    static func wrong(_ code: String) -> String { code == "000000" ? "111111" : "000000" }
}
