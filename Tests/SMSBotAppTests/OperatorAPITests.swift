import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSBotApp
import SMSBotCore
import SMSBotStorage
import TestSupport
import Testing

/// The operator API (SPEC §9) over real HTTP with an operator key, on both stores; SMS checked
/// at a fake Twilio on loopback; every response checked against the served document.
@Suite(.timeLimit(.minutes(3))) struct OperatorAPITests {
    static let boat = #"""
        {"policyNumber": "BOAT-5005", "holderName": "Kim Ortiz", "phone": "+15551235005", "product": "Boat", "status": "active",
         "effectiveDate": "2026-02-01", "expiryDate": "2027-02-01", "premium": "55.00", "currency": "USD", "premiumFrequency": "monthly",
         "coverage": "Hull 20k", "deductible": "250.00",
         "claims": [{"claimNumber": "CLM-9", "status": "open", "filedOn": "2026-05-01", "amount": "100.00", "description": "Scratch"}]}
        """#
    static let confidential = ["Kim", "Ortiz", "55.00", "2026", "2027", "Hull", "250.00", "CLM-9"]

    /// The Twilio call that texted `phone`, its body.
    static func bodies(to phone: String, in twilio: FakeTwilio) -> [String] {
        twilio.calls.filter { $0.form["To"] == phone }.compactMap { $0.form["Body"] }
    }

    /// The code in the last OTP SMS to `phone`.
    static func code(to phone: String, in twilio: FakeTwilio) -> String? {
        bodies(to: phone, in: twilio).last?.firstMatch(of: /code: (\d+)/).map { String($0.1) }
    }

    /// Texts the policy number from `phone` and returns the code the fake Twilio received for it.
    static func requestCode(from phone: String, api: VerificationAPIHarness, twilio: FakeTwilio, calls: Int = 1) async throws -> String {
        try await api.text("AUTO-1001", from: phone)
        try await twilio.waitForCalls(calls)
        return try #require(code(to: phone, in: twilio))
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func registeringAPolicyholderStoresItAndTextsTheWelcome(kind: StoreFixture.Kind) async throws {
        let twilio = FakeTwilio()
        try await VerificationAPIHarness.run(on: kind, twilio: twilio) { api in
            let created = try await api.send(.post, "/api/v1/policies", key: "ops", json: Self.boat)
            #expect(created.status == .created && created.json["phone"] as? String == "+15551235005")
            let read = try await api.send(.get, "/api/v1/policies/boat5005", key: "ops")
            #expect(read.status == .ok && read.text == created.text)
            #expect((read.json["claims"] as? [[String: Any]])?.first?["claimNumber"] as? String == "CLM-9")
            try await twilio.waitForCalls(1)
            let welcome = try #require(Self.bodies(to: "+15551235005", in: twilio).first)
            for expected in ["Acme Insurance", "BOAT-5005", "Boat", "HELP", "STOP"] { #expect(welcome.contains(expected), "\(welcome)") }
            for secret in Self.confidential { #expect(!welcome.contains(secret), "\(secret) in \(welcome)") }
            #expect(SMSSegments(welcome).count <= 2)
            let again = try await api.send(.post, "/api/v1/policies", key: "ops", json: Self.boat)
            #expect(again.status == .conflict && again.errorCode == "policy_exists")
            let audit = try await api.send(.get, "/api/v1/audit?policyNumber=BOAT-5005", key: "ops")
            let events = try #require(audit.json["events"] as? [[String: Any]])
            #expect(events.map { $0["event"] as? String } == ["policy_registered"] && events.first?["actor"] as? String == "ops")
            try await Task.sleep(for: .milliseconds(200))
            #expect(twilio.calls.count == 1)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func invalidFieldsAreListedAndNothingIsStored(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let invalid = try await api.send(
                .post, "/api/v1/policies", key: "ops",
                json: #"{"policyNumber": "BOAT-5005", "phone": "12", "effectiveDate": "2026-13-01", "expiryDate": "2027-01-01", "premium": "abc", "currency": "usd", "claims": [{"claimNumber": "C1"}]}"#)
            #expect(invalid.status == .unprocessableContent && invalid.errorCode == "invalid_policy")
            let fields = try #require((invalid.json["error"] as? [String: Any])?["fields"] as? [String: String])
            for field in ["phone", "effectiveDate", "premium", "currency", "holderName", "product", "coverage", "claims[0].filedOn", "claims[0].status"] {
                #expect(fields[field] != nil, "\(field) not reported: \(fields)")
            }
            #expect(fields["policyNumber"] == nil && fields["expiryDate"] == nil)
            #expect(try await api.send(.get, "/api/v1/policies/BOAT-5005", key: "ops").status == .notFound)
            #expect(try await api.send(.post, "/api/v1/policies", key: "ops", json: #"{"premium": 55}"#).status == .badRequest)
            #expect(try await api.send(.post, "/api/v1/policies", key: "ops", json: #"{"nickname": "x"}"#).status == .badRequest)
            #expect(try await api.send(.post, "/api/v1/policies", key: "ops", json: "{").status == .badRequest)
            #expect(try await api.fixture.count("policies") == 2)
            #expect(try await api.fixture.count("outbox") == 0)
            // The path names the policy a PUT replaces.
            let mismatch = try await api.send(.put, "/api/v1/policies/AUTO-1001", key: "ops", json: Self.boat)
            #expect(mismatch.status == .unprocessableContent)
            #expect(try await api.send(.put, "/api/v1/policies/BOAT-5005", key: "ops", json: Self.boat).status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/policies/BOAT-5005", key: "ops").status == .notFound)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func policiesAreFoundByNumberNameOrLastDigitsAndPaged(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let first = try await api.send(.get, "/api/v1/policies?limit=1", key: "ops")
            let policies = try #require(first.json["policies"] as? [[String: Any]])
            #expect(policies.map { $0["policyNumber"] as? String } == ["AUTO-1001"] && policies.first?["phone"] as? String == "+1555***0001")
            let cursor = try #require(first.json["nextCursor"] as? String)
            let second = try await api.send(.get, "/api/v1/policies?limit=1&cursor=\(cursor)", key: "ops")
            #expect((second.json["policies"] as? [[String: Any]])?.map { $0["policyNumber"] as? String } == ["HOME-2002"])
            #expect(second.json["nextCursor"] == nil)
            for query in ["dana", "auto 10", "0001"] {
                let found = try await api.send(.get, "/api/v1/policies?q=\(query.replacingOccurrences(of: " ", with: "%20"))", key: "ops")
                #expect((found.json["policies"] as? [[String: Any]])?.map { $0["policyNumber"] as? String } == ["AUTO-1001"], "\(query)")
            }
            #expect(try await api.send(.get, "/api/v1/policies?q=%25", key: "ops").json["policies"] as? [Any] != nil)
            #expect((try await api.send(.get, "/api/v1/policies?q=%25", key: "ops").json["policies"] as? [Any])?.isEmpty == true)
            for bad in ["limit=0", "limit=201", "cursor=!!"] {
                #expect(try await api.send(.get, "/api/v1/policies?\(bad)", key: "ops").status == .badRequest, "\(bad)")
            }
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aNewPhoneIsWelcomedTheOldOneWarnedAndSessionsEnd(kind: StoreFixture.Kind) async throws {
        let twilio = FakeTwilio()
        try await VerificationAPIHarness.run(on: kind, twilio: twilio) { api in
            let old = TestPolicies.auto.phone.e164
            let code = try await Self.requestCode(from: old, api: api, twilio: twilio)
            let verified = try await api.text(code, from: old)
            #expect(verified.joined().contains("1"), "verified: \(verified)")
            let pendingByAPI = try await api.create(#"{"policyNumber": "AUTO-1001"}"#)
            try await twilio.waitForCalls(2)
            #expect(try await api.send(.get, "/api/v1/conversations/\(old)", key: "ops").json["verifiedPolicy"] as? String == "AUTO1001")
            let replacement = #"""
                {"policyNumber": "AUTO-1001", "holderName": "Dana Reyes", "phone": "+15551230999", "product": "Auto", "status": "active",
                 "effectiveDate": "2026-01-01", "expiryDate": "2027-01-01", "premium": "128.40", "currency": "USD",
                 "premiumFrequency": "monthly", "coverage": "Liability", "nextPaymentDue": "2026-12-01"}
                """#
            let replaced = try await api.send(.put, "/api/v1/policies/AUTO-1001", key: "ops", json: replacement)
            #expect(replaced.status == .ok && replaced.json["phone"] as? String == "+15551230999")
            try await twilio.waitForCalls(4)
            let welcome = try #require(Self.bodies(to: "+15551230999", in: twilio).first)
            #expect(welcome.contains("AUTO-1001") && !welcome.contains("Dana"))
            let notice = try #require(Self.bodies(to: old, in: twilio).last)
            #expect(notice.contains("1-800-555-0100") && !notice.contains("0999") && SMSSegments(notice).count <= 2, "\(notice)")
            // The old phone's session is over, and so is the API's pending verification by policy.
            #expect(try await api.send(.get, "/api/v1/conversations/\(old)", key: "ops").json["verifiedPolicy"] == nil)
            let asked = try await api.text("STATUS", from: old).joined()
            #expect(!asked.contains("active") && !asked.contains("128.40"), "\(asked)")
            #expect(try await api.send(.get, "/api/v1/verifications/\(pendingByAPI.id)").verificationStatus == "canceled")
            let events = try await api.send(.get, "/api/v1/audit?policyNumber=AUTO-1001", key: "ops").json["events"] as? [[String: Any]]
            #expect(events?.compactMap { $0["event"] as? String }.prefix(2) == ["phone_changed", "policy_replaced"])
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func deletingAPolicyVoidsItsPendingCodes(kind: StoreFixture.Kind) async throws {
        let twilio = FakeTwilio()
        try await VerificationAPIHarness.run(on: kind, twilio: twilio) { api in
            let phone = TestPolicies.auto.phone.e164
            let code = try await Self.requestCode(from: phone, api: api, twilio: twilio)
            #expect(try await api.send(.delete, "/api/v1/policies/AUTO-1001", key: "ops").status == .noContent)
            let reply = try await api.text(code, from: phone).joined()
            #expect(!reply.contains("128.40") && !reply.contains("active"), "\(reply)")
            #expect(try await api.send(.get, "/api/v1/policies/AUTO-1001", key: "ops").status == .notFound)
            #expect(try await api.fixture.count("claims", where: "policy_number = 'AUTO1001'") == 0)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func anOptedOutPhoneGetsNoWelcome(kind: StoreFixture.Kind) async throws {
        let twilio = FakeTwilio()
        try await VerificationAPIHarness.run(on: kind, twilio: twilio) { api in
            try await api.text("STOP", from: "+15551235005")
            #expect(try await api.send(.post, "/api/v1/policies", key: "ops", json: Self.boat).status == .created)
            try await Task.sleep(for: .milliseconds(300))
            #expect(twilio.calls.isEmpty)
            let optOuts = try await api.send(.get, "/api/v1/opt-outs", key: "ops").json["optOuts"] as? [[String: Any]]
            #expect(optOuts?.map { $0["phone"] as? String } == ["+1555***5005"])
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aConversationIsLookedUpUnlockedAndLoggedOut(kind: StoreFixture.Kind) async throws {
        let twilio = FakeTwilio()
        try await VerificationAPIHarness.run(on: kind, twilio: twilio) { api in
            let phone = TestPolicies.auto.phone.e164
            let code = try await Self.requestCode(from: phone, api: api, twilio: twilio)
            let pending = try await api.send(.get, "/api/v1/conversations/%2B15551230001", key: "ops")
            #expect(pending.json["pendingPolicy"] as? String == "AUTO1001" && pending.json["optedOut"] as? Bool == false)
            #expect(!pending.text.contains(code) && pending.json["lastMessageAt"] != nil)
            for _ in 0..<5 { try await api.text(code == "000000" ? "111111" : "000000", from: phone) }
            let locked = try await api.send(.get, "/api/v1/conversations/\(phone)", key: "ops")
            #expect((locked.json["locks"] as? [[String: Any]])?.first?["policyNumber"] as? String == "AUTO1001")
            #expect(try await api.send(.post, "/api/v1/conversations/\(phone)/unlock", key: "ops").status == .noContent)
            #expect((try await api.send(.get, "/api/v1/conversations/\(phone)", key: "ops").json["locks"] as? [Any])?.isEmpty == true)
            #expect(try await api.fixture.count("verification_failures") == 0)
            try await api.text("AUTO-1001", from: phone)
            try await twilio.waitForCalls(2)
            #expect(try await api.send(.post, "/api/v1/conversations/\(phone)/logout", key: "ops").status == .noContent)
            #expect(try await api.send(.get, "/api/v1/conversations/\(phone)", key: "ops").json["pendingPolicy"] == nil)
            #expect(try await api.send(.get, "/api/v1/conversations/+15559990000", key: "ops").status == .notFound)
            #expect(try await api.send(.post, "/api/v1/conversations/+15559990000/logout", key: "ops").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/conversations/not-a-phone", key: "ops").status == .badRequest)
            let events = try await api.send(.get, "/api/v1/audit?phone=%2B15551230001&limit=2", key: "ops")
            #expect((events.json["events"] as? [[String: Any]])?.map { $0["event"] as? String } == ["operator_logout", "code_sent"])
            #expect(events.json["nextCursor"] != nil)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aForgotConversationIsShownUnlockedAndVerifiedByPhone(kind: StoreFixture.Kind) async throws {
        let twilio = FakeTwilio()
        try await VerificationAPIHarness.run(on: kind, twilio: twilio) { api in
            let phone = TestPolicies.auto.phone.e164
            try await api.text("FORGOT", from: phone)
            try await twilio.waitForCalls(1)
            let code = try #require(Self.code(to: phone, in: twilio))
            let pending = try await api.send(.get, "/api/v1/conversations/\(phone)", key: "ops").json
            #expect(pending["forgotCodePending"] as? Bool == true && pending["pendingPolicy"] == nil)
            for _ in 0..<5 { try await api.text(code == "000000" ? "111111" : "000000", from: phone) }
            let locked = try await api.send(.get, "/api/v1/conversations/\(phone)", key: "ops")
            #expect((locked.json["locks"] as? [[String: Any]])?.first?["policyNumber"] as? String == "FORGOT")
            #expect(!locked.text.contains("phone:"))
            #expect(try await api.send(.post, "/api/v1/conversations/\(phone)/unlock", key: "ops").status == .noContent)
            try await api.text("FORGOT", from: phone)
            try await twilio.waitForCalls(2)
            try await api.text(try #require(Self.code(to: phone, in: twilio)), from: phone)
            let verified = try await api.send(.get, "/api/v1/conversations/\(phone)", key: "ops").json
            #expect(verified["verifiedByPhone"] as? Bool == true && verified["verifiedPolicy"] as? String == "AUTO1001")
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func theOutboxIsListedWithoutBodies(kind: StoreFixture.Kind) async throws {
        let twilio = FakeTwilio()
        try await VerificationAPIHarness.run(on: kind, twilio: twilio) { api in
            try await api.send(.post, "/api/v1/policies", key: "ops", json: Self.boat)
            try await twilio.waitForCalls(1)
            try await Task.sleep(for: .milliseconds(200))
            let listed = try await api.send(.get, "/api/v1/outbox?status=sent", key: "ops")
            let messages = try #require(listed.json["messages"] as? [[String: Any]])
            #expect(messages.count == 1 && messages.first?["to"] as? String == "+1555***5005" && messages.first?["twilioSid"] != nil)
            #expect(!listed.text.contains("BOAT"))
            #expect((try await api.send(.get, "/api/v1/outbox?status=pending", key: "ops").json["messages"] as? [Any])?.isEmpty == true)
            #expect(try await api.send(.get, "/api/v1/outbox?cursor=x", key: "ops").status == .badRequest)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func eachRoleKeepsToItsRoutes(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let verifyKey = try await api.send(.get, "/api/v1/policies", key: "chat")
            let none = try await api.send(.get, "/api/v1/audit", key: nil)
            let operatorKey = try await api.create(#"{"to": "+15551230001"}"#, key: "ops")
            #expect(verifyKey.status == .forbidden && none.status == .unauthorized && operatorKey.status == .forbidden)
        }
    }
}
