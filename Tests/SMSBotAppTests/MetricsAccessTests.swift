import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSBotApp
import SMSBotCore
import TestSupport
import Testing
@testable import SMSBotSQLite
import SMSBotStorage

/// `/metrics` is for operators (SPEC §3): a Bearer operator credential, or, with none
/// configured, loopback clients only; and its OTP counter does not tell a known policy from
/// an unknown one.
@Suite(.timeLimit(.minutes(3))) struct MetricsAccessTests {
    static let adminToken = "metrics-admin-token-0123456789abcdef"

    private func get(_ client: any TestClientProtocol, authorization: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }
        return try await client.execute(uri: "/metrics", method: .get, headers: headers)
    }

    @Test func withAnAdminTokenOnlyItsBearerGetsTheMetrics() async throws {
        var configuration = AppConfiguration.test()
        configuration.adminToken = Secret(Self.adminToken)
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            let missing = try await get(client)
            #expect(missing.status == .unauthorized && missing.headers[.wwwAuthenticate] == "Bearer")
            for wrong in ["Bearer " + Self.adminToken.dropLast() + "x", "Basic " + Self.adminToken, "Bearer", "Bearer  "] {
                let refused = try await get(client, authorization: wrong)
                #expect(refused.status == .unauthorized, "\(wrong)")
            }
            let allowed = try await get(client, authorization: "Bearer " + Self.adminToken)
            #expect(allowed.status == .ok && allowed.text.contains("smsbot_"))
        }
    }

    @Test func withoutAnOperatorCredentialLoopbackClientsOnly() async throws {
        let app = try await buildApplication(AppConfiguration.test())
        try await app.test(.live) { client in
            let local = try await get(client)
            #expect(local.status == .ok, "127.0.0.1 is loopback")
        }
        // The router test client has no socket, so no loopback address: like any remote client.
        try await app.test(.router) { client in
            let remote = try await get(client)
            #expect(remote.status == .notFound && remote.text.isEmpty)
        }
    }

    @Test func theOTPCounterMovesAlikeForAnUnknownPolicy() async throws {
        let app = try await buildApplication(AppConfiguration.test())
        try await app.test(.live) { client in
            var sms = InboundSMS()
            sms.body = "NONE-9999"
            let posted = try await client.post(sms)
            #expect(posted.status == .ok)
            let text = try await get(client).text
            #expect(text.contains(#"smsbot_otp_events_total{event="requested"} 1"#), "\(text)")
        }
    }

    /// The app on a SQLite file holding an operator key, a verify key and a revoked one.
    private func withKeys(_ test: @Sendable (any TestClientProtocol, [String: String]) async throws -> Void) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        let store = try await SQLiteStore.migrated(path: path)
        var random = SystemRandomNumberGenerator()
        var secrets: [String: String] = [:]
        for (name, role) in [("ops", AccessKey.Role.operator), ("chat", .verify), ("former", .operator)] {
            let secret = AccessKeySecret.generate(using: &random)
            try await store.createAccessKey(AccessKey(name: name, role: role, createdAt: Date()), secretDigest: secret.digest)
            secrets[name] = secret.text
        }
        _ = try await store.revokeAccessKey(named: "former", at: Date())
        let app = try await buildApplication(AppConfiguration.test(database: .sqliteFile(path: path)))
        let keys = secrets
        try await app.test(.live) { client in try await test(client, keys) }
    }

    @Test func accessKeysOfTheOperatorRoleGetTheMetricsOthersAreRefused() async throws {
        try await withKeys { client, secrets in
            let allowed = try await get(client, authorization: "Bearer " + secrets["ops"]!)
            #expect(allowed.status == .ok)
            let wrongRole = try await get(client, authorization: "Bearer " + secrets["chat"]!)
            #expect(wrongRole.status == .forbidden)
            let revoked = try await get(client, authorization: "Bearer " + secrets["former"]!)
            #expect(revoked.status == .unauthorized && revoked.headers[.wwwAuthenticate] == "Bearer")
            // An operator key exists, so loopback alone is no longer enough.
            let anonymous = try await get(client)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func twentyWrongCredentialsInAMinuteLockTheClientOutEvenWithARightOne() async throws {
        try await withKeys { client, secrets in
            for attempt in 1...20 {
                let wrong = try await get(client, authorization: "Bearer smsbot_guess\(attempt)")
                #expect(wrong.status == .unauthorized)
            }
            let right = try await get(client, authorization: "Bearer " + secrets["ops"]!)
            #expect(right.status == .tooManyRequests)
            let retryAfter = try #require(right.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...60).contains(retryAfter))
        }
    }

    @Test func whenTheStoreCannotCheckACredentialTheAnswerIs503() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.sqlite")
        let app = try await buildApplication(AppConfiguration.test(database: .sqliteFile(path: path)))
        try await app.test(.live) { client in
            try await DatabaseQueue.console(path: path).write { db in try db.execute(sql: "DROP TABLE access_keys") }
            let response = try await get(client, authorization: "Bearer smsbot_whatever")
            #expect(response.status == .serviceUnavailable)
        }
    }
}
