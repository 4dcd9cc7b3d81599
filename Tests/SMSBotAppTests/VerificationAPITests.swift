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

/// The verification API (SPEC §8) over real HTTP, on both stores; every response checked
/// against the served OpenAPI document by the harness.
@Suite(.timeLimit(.minutes(3))) struct VerificationAPITests {
    static let phone = "+15551230001"

    @Test(arguments: StoreFixture.Kind.allCases)
    func aCodeSentToAPhoneApprovesItsVerificationOnce(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let created = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            #expect(created.status == .created && created.verificationStatus == "pending" && created.attemptsLeft == 5)
            #expect(created.json["to"] as? String == "+1555***0001" && created.json["channel"] as? String == "sms")
            let id = created.id
            #expect(id.hasPrefix("vf_") && id.count == 35)
            let code = try #require(try await api.codes(to: Self.phone, afterSMS: 1).last)
            #expect(!created.text.contains(code))
            let wrong = try await api.check(id, code: VerificationAPIHarness.wrong(code))
            #expect(wrong.status == .ok && wrong.verificationStatus == "pending" && wrong.attemptsLeft == 4)
            let right = try await api.check(id, code: code)
            #expect(right.status == .ok && right.verificationStatus == "approved" && !right.text.contains(code))
            let again = try await api.check(id, code: code)
            #expect(again.status == .conflict && again.errorCode == "not_pending")
            #expect(try await api.send(.get, "/api/v1/verifications/\(id)").verificationStatus == "approved")
            #expect(try await api.fixture.count("audit_events", where: "event LIKE 'verification_%' AND detail LIKE 'key=chat%'") == 3)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func byPolicyNumberAnUnknownPolicyLooksLikeAKnownOne(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let known = try await api.create(#"{"policyNumber": "AUTO-1001"}"#)
            let unknown = try await api.create(#"{"policyNumber": "AUTO-9999"}"#)
            for answer in [known, unknown] {
                #expect(answer.status == .created && answer.verificationStatus == "pending" && answer.attemptsLeft == 5)
                #expect(Set(answer.json.keys) == ["id", "status", "channel", "expiresAt", "attemptsLeft"], "no phone: \(answer.text)")
                #expect(!answer.text.contains("0001"))
            }
            // The code went to the phone on file, and nothing went anywhere for the unknown policy.
            let code = try #require(try await api.codes(to: TestPolicies.auto.phone.e164, afterSMS: 1).last)
            try await Task.sleep(for: .milliseconds(200))
            #expect(api.sender.messages.count == 1)
            // The unknown one answers a wrong code like the known one, and can never be approved.
            #expect(try await api.check(unknown.id, code: code).attemptsLeft == 4)
            #expect(try await api.check(known.id, code: code).verificationStatus == "approved")
            // Nor does a metric tell them apart.
            let metrics = try await api.client.execute(
                uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(api.secrets["ops"]!)"])
            #expect(String(buffer: metrics.body).contains(#"smsbot_api_verification_events_total{event="requested"} 2"#))
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func limitsOfThePhoneOnFileAnswerAsForAnUnknownPolicy(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind, configure: { $0.otp.maxSendsPerHour = 1 }) { api in
            // The SMS conversation used up the phone on file's hourly cap: the API still answers 201, sends nothing.
            #expect(try await api.create(#"{"policyNumber": "AUTO-1001"}"#, key: "other").status == .created)
            try await api.sender.waitFor(count: 1)
            let capped = try await api.create(#"{"policyNumber": "AUTO-1001"}"#)
            #expect(capped.status == .created && capped.verificationStatus == "pending")
            // An opted-out phone on file: the same.
            var stop = InboundSMS()
            stop.from = TestPolicies.home.phone.e164
            stop.body = "STOP"
            #expect(try await api.client.post(stop).status == .ok)
            #expect(try await api.create(#"{"policyNumber": "HOME-2002"}"#).status == .created)
            try await Task.sleep(for: .milliseconds(200))
            #expect(api.sender.messages.filter { $0.kind == .otp }.count == 1)
            // A phone the caller gives is told: over its cap (429), opted out (422).
            let overCap = try await api.create(#"{"to": "\#(TestPolicies.auto.phone.e164)"}"#)
            #expect(overCap.status == .tooManyRequests && overCap.errorCode == "destination_limit" && overCap.headers[.retryAfter] != nil)
            let optedOut = try await api.create(#"{"to": "\#(TestPolicies.home.phone.e164)"}"#)
            #expect(optedOut.status == .unprocessableContent && optedOut.errorCode == "opted_out")
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func askingAgainResendsAfterTheCooldownAndVoidsTheOldCode(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let first = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            let oldCode = try #require(try await api.codes(to: Self.phone, afterSMS: 1).last)
            let early = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            #expect(early.status == .tooManyRequests && early.errorCode == "cooldown" && early.headers[.retryAfter] == "30", "\(early.headers) \(early.text)")
            api.clock.advance(by: 30)
            let resent = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            #expect(resent.status == .created && resent.id == first.id, "\(resent.text)")
            let newCode = try #require(try await api.codes(to: Self.phone, afterSMS: 2).last)
            if newCode != oldCode {
                #expect(try await api.check(first.id, code: oldCode).attemptsLeft == 4)
            }
            #expect(try await api.check(first.id, code: newCode).verificationStatus == "approved")
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func wrongCodesSurviveNewCodesThenLockTheDestinationForTheKey(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let first = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            let code = try #require(try await api.codes(to: Self.phone, afterSMS: 1).last)
            for _ in 0..<3 { try await api.check(first.id, code: VerificationAPIHarness.wrong(code)) }
            api.clock.advance(by: 30)
            // A new code does not buy new attempts.
            let renewed = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            #expect(renewed.attemptsLeft == 2)
            let newCode = try #require(try await api.codes(to: Self.phone, afterSMS: 2).last)
            try await api.check(first.id, code: VerificationAPIHarness.wrong(newCode))
            let last = try await api.check(first.id, code: VerificationAPIHarness.wrong(newCode))
            #expect(last.verificationStatus == "max_attempts_reached" && last.attemptsLeft == 0)
            #expect(try await api.check(first.id, code: newCode).status == .conflict)
            api.clock.advance(by: 60)
            let locked = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            #expect(locked.status == .tooManyRequests && locked.errorCode == "locked" && locked.headers[.retryAfter] == "840")
            // Another key has its own failures (and its own verifications).
            #expect(try await api.create(#"{"to": "\#(Self.phone)"}"#, key: "other").status == .created)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aVerificationIsOnlyItsKeys(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let created = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            let code = try #require(try await api.codes(to: Self.phone, afterSMS: 1).last)
            #expect(try await api.send(.get, "/api/v1/verifications/\(created.id)", key: "other").status == .notFound)
            #expect(try await api.check(created.id, code: code, key: "other").status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/verifications/\(created.id)", key: "other").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/verifications/vf_00000000000000000000000000000000").errorCode == "not_found")
            #expect(try await api.send(.get, "/api/v1/verifications/\(created.id)").verificationStatus == "pending")
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aCanceledVerificationsCodeNoLongerWorks(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let created = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            let code = try #require(try await api.codes(to: Self.phone, afterSMS: 1).last)
            #expect(try await api.send(.delete, "/api/v1/verifications/\(created.id)").status == .noContent)
            #expect(try await api.send(.delete, "/api/v1/verifications/\(created.id)").status == .noContent)
            let check = try await api.check(created.id, code: code)
            #expect(check.status == .conflict && check.errorCode == "not_pending")
            #expect(try await api.send(.get, "/api/v1/verifications/\(created.id)").verificationStatus == "canceled")
            // An expired one cannot be canceled: it is over already.
            let second = try await api.create(#"{"to": "+15551230077"}"#)
            api.clock.advance(by: 301)
            #expect(try await api.send(.get, "/api/v1/verifications/\(second.id)").verificationStatus == "expired")
            #expect(try await api.send(.delete, "/api/v1/verifications/\(second.id)").status == .conflict)
            #expect(try await api.fixture.count("audit_events", where: "event = 'verification_canceled'") == 1)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func anIdempotentRetryGetsTheFirstAnswerAndSendsNothing(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let retry: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "order-42"]
            let first = try await api.create(#"{"to": "\#(Self.phone)"}"#, headers: retry)
            let second = try await api.create(#"{ "to" : "\#(Self.phone)" }"#, headers: retry)
            #expect(first.status == .created && second.status == .created && second.text == first.text)
            try await Task.sleep(for: .milliseconds(200))
            #expect(api.sender.messages.count == 1)
            let other = try await api.create(#"{"to": "+15551230077"}"#, headers: retry)
            #expect(other.status == .unprocessableContent && other.errorCode == "idempotency_key_reused")
            let tooLong = try await api.create(
                #"{"to": "+15551230077"}"#, headers: [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 256)])
            #expect(tooLong.status == .badRequest && tooLong.errorCode == "invalid_idempotency_key")
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func callersAreLimitedByCountryBudgetAndRate(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind, configure: { $0.api.maxSendsPerHour = 2 }) { api in
            for outside in ["+447700900123", "+18765550123"] {
                let refused = try await api.create(#"{"to": "\#(outside)"}"#)
                #expect(refused.status == .unprocessableContent && refused.errorCode == "country_not_allowed", "\(outside)")
            }
            #expect(try await api.create(#"{"to": "+14165550123"}"#).status == .created)
            #expect(try await api.create(#"{"policyNumber": "NOPE-1"}"#, key: "other").status == .created)
            let over = try await api.create(#"{"to": "+15551230077"}"#)
            #expect(over.status == .tooManyRequests && over.errorCode == "send_budget_exhausted")
        }
        try await VerificationAPIHarness.run(on: kind, configure: { $0.api.requestsPerMinute = 3 }) { api in
            for _ in 0..<3 { #expect(try await api.send(.get, "/api/v1/verifications/vf_x").status == .notFound) }
            let limited = try await api.send(.get, "/api/v1/verifications/vf_x")
            #expect(limited.status == .tooManyRequests && limited.errorCode == "rate_limited" && limited.headers[.retryAfter] != nil)
            #expect(try await api.send(.get, "/api/v1/verifications/vf_x", key: "other").status == .notFound)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aCodeTheSMSConversationSentCountsAgainstTheAPI(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind, configure: { $0.otp.maxSendsPerHour = 1 }) { api in
            var sms = InboundSMS()
            sms.body = "AUTO-1001"
            #expect(try await api.client.post(sms).status == .ok)
            try await api.sender.waitFor(count: 1)
            let answer = try await api.create(#"{"to": "\#(TestPolicies.auto.phone.e164)"}"#)
            #expect(answer.status == .tooManyRequests && answer.errorCode == "destination_limit")
            #expect(api.sender.messages.count == 1)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aKeysRequestWindowIsSharedByEveryInstance(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind, configure: { $0.api.requestsPerMinute = 3 }) { api in
            var configuration = AppConfiguration.test(database: api.fixture.location)
            configuration.api.requestsPerMinute = 3
            configuration.secretsKey = Secret(String(repeating: "s", count: 40))
            let second = try await buildApplication(configuration)
            try await second.test(.live) { other in
                let headers: HTTPFields = [.authorization: "Bearer \(api.secrets["chat"]!)"]
                for _ in 0..<2 { #expect(try await api.send(.get, "/api/v1/verifications/vf_x").status == .notFound) }
                #expect(try await other.execute(uri: "/api/v1/verifications/vf_x", method: .get, headers: headers).status == .notFound)
                let limited = try await other.execute(uri: "/api/v1/verifications/vf_x", method: .get, headers: headers)
                #expect(limited.status == .tooManyRequests)
                #expect(try await api.send(.get, "/api/v1/verifications/vf_x").status == .tooManyRequests)
            }
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func credentialsAreCheckedOnEveryRoute(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let none = try await api.create(#"{"to": "\#(Self.phone)"}"#, key: "")
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == "Bearer" && none.errorCode == "unauthorized")
            let missing = try await api.send(.get, "/api/v1/verifications/vf_x", key: nil)
            #expect(missing.status == .unauthorized)
            let operatorKey = try await api.create(#"{"to": "\#(Self.phone)"}"#, key: "ops")
            #expect(operatorKey.status == .forbidden && operatorKey.errorCode == "forbidden")
            try await api.fixture.withStore { store in _ = try await store.revokeAccessKey(named: "chat", at: Date()) }
            #expect(try await api.create(#"{"to": "\#(Self.phone)"}"#).status == .unauthorized)
            #expect(api.sender.messages.isEmpty)
            let document = try await api.client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(document.status == .ok && String(buffer: document.body).contains(#""openapi": "3.1.0""#))
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func badInputGetsAJSONErrorAndChangesNothing(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let created = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            let before = try await api.send(.get, "/api/v1/verifications/\(created.id)").text
            let bodies: [(String, String, HTTPResponse.Status)] = [
                (#"{"to": "+15551230001""#, "application/json", .badRequest),
                (#"{"to": 15551230001}"#, "application/json", .badRequest),
                (#"{"to": "+15551230001", "policyNumber": "AUTO-1001"}"#, "application/json", .badRequest),
                (#"{"to": "+15551230001", "extra": 1}"#, "application/json", .badRequest),
                (#"{"to": "5551230001"}"#, "application/json", .badRequest),
                (#"{"policyNumber": "!!"}"#, "application/json", .badRequest),
                (#"[]"#, "application/json", .badRequest),
                ("", "application/json", .badRequest),
                ("to=+15551230001", "application/x-www-form-urlencoded", .unsupportedMediaType),
                (#"{"to": "+15551230001"}"#, "application/json; charset=latin1", .unsupportedMediaType),
                (#"{"to": "\#(String(repeating: "9", count: 17_000))"}"#, "application/json", .contentTooLarge),
            ]
            for (body, contentType, status) in bodies {
                let answer = try await api.send(.post, "/api/v1/verifications", json: body, contentType: contentType)
                #expect(answer.status == status && answer.errorCode != nil, "\(body.prefix(60)) → \(answer.status) \(answer.text)")
            }
            for code in ["12ab56", "1234567", "", " 123456"] {
                let answer = try await api.check(created.id, code: code)
                #expect(answer.status == .badRequest && answer.errorCode == "invalid_code", "\(code)")
            }
            for body in [#"{"code": 123456}"#, #"{"code": null}"#, #"{}"#, "not json"] {
                let answer = try await api.send(.post, "/api/v1/verifications/\(created.id)/check", json: body)
                #expect(answer.status == .badRequest, "\(body) → \(answer.status)")
            }
            let invalidUTF8 = try await api.client.execute(
                uri: "/api/v1/verifications/\(created.id)/check", method: .post,
                headers: [.authorization: "Bearer \(api.secrets["chat"]!)", .contentType: "application/json"],
                body: .init(bytes: Array(#"{"code": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)))
            #expect(invalidUTF8.status == .badRequest)
            #expect(try await api.send(.get, "/api/v1/verifications/\(created.id)").text == before)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aStoreThatFailsAnswers503NotAClientError(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            try await api.fixture.execute("DROP TABLE verifications")
            let answer = try await api.create(#"{"to": "\#(Self.phone)"}"#)
            #expect(answer.status == .serviceUnavailable && answer.errorCode == "unavailable")
        }
    }
}
