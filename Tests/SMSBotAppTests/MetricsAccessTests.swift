import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSBotApp
import SMSBotCore
import TestSupport
import Testing

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
}
