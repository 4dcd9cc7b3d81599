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

/// The operator portal (SPEC §10) over real HTTP: sessions, CSRF, headers, and each page.
@Suite(.timeLimit(.minutes(3))) struct PortalTests {
    /// A browser's view of the portal: one session cookie, forms posted urlencoded.
    struct Browser {
        let client: any TestClientProtocol
        var cookie: String?

        func get(_ path: String) async throws -> TestResponse {
            var headers: HTTPFields = [:]
            if let cookie { headers[.cookie] = "smsbot_portal=\(cookie)" }
            return try await client.execute(uri: path, method: .get, headers: headers)
        }

        func post(_ path: String, _ form: [(String, String)]) async throws -> TestResponse {
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            if let cookie { headers[.cookie] = "smsbot_portal=\(cookie)" }
            let body = form.map { "\(InboundSMS.escape($0.0))=\(InboundSMS.escape($0.1))" }.joined(separator: "&")
            return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        }

        /// Signs in with `key`; the response of the sign-in.
        mutating func signIn(_ key: String) async throws -> TestResponse {
            let response = try await post("/portal/login", [("key", key)])
            cookie = response.headers[.setCookie]?.firstMatch(of: /smsbot_portal=([0-9a-f]{64})/).map { String($0.1) }
            return response
        }

        /// The CSRF token of the page at `path`.
        func csrf(on path: String = "/portal") async throws -> String {
            let page = try await get(path).text
            return try #require(page.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
        }
    }

    static let registration: [(String, String)] = [
        ("policyNumber", "BOAT-5005"), ("holderName", "Kim <b>Ortiz</b> & co"), ("phone", "+15551235005"), ("product", "Boat"),
        ("status", "active"), ("effectiveDate", "2026-02-01"), ("expiryDate", "2027-02-01"), ("premium", "55.00"), ("currency", "USD"),
        ("premiumFrequency", "monthly"), ("coverage", "Hull 20k"), ("nextPaymentDue", ""), ("balanceDue", ""), ("deductible", ""),
    ]

    @Test func withoutAnOperatorCredentialThePortalIsNotThere() async throws {
        let app = try await buildApplication(AppConfiguration.test())
        try await app.test(.live) { client in
            for path in ["/portal", "/portal/login", "/portal/policies", "/portal/portal.css"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
            }
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func signingInGivesAStrictCookieAndEveryPageItsHeaders(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            var browser = Browser(client: api.client)
            #expect(try await browser.get("/portal").headers[.location] == "/portal/login")
            #expect(try await browser.signIn("smsbot_" + String(repeating: "0", count: 64)).status == .unauthorized)
            #expect(try await browser.signIn(api.secrets["chat"]!).status == .forbidden)
            let signedIn = try await browser.signIn(api.secrets["ops"]!)
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/portal")
            let cookie = try #require(signedIn.headers[.setCookie])
            for flag in ["HttpOnly", "SameSite=Strict", "Path=/portal", "Secure"] { #expect(cookie.contains(flag), "\(flag): \(cookie)") }
            for path in ["/portal", "/portal/policies", "/portal/policies/new", "/portal/policies/AUTO1001", "/portal/audit", "/portal/outbox"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(page.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false && !page.text.contains("<script"))
                #expect(page.headers[.xContentTypeOptions] == "nosniff" && page.headers[.cacheControl] == "no-store", "\(path)")
            }
            let css = try await browser.get("/portal/portal.css")
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    @Test func registeringShowsErrorsBesideTheirFieldsKeepsWhatWasTypedThenQueuesTheWelcome() async throws {
        try await VerificationAPIHarness.run(on: .sqlite) { api in
            var browser = Browser(client: api.client)
            _ = try await browser.signIn(api.secrets["ops"]!)
            let csrf = try await browser.csrf(on: "/portal/policies/new")
            var wrong = Self.registration
            wrong[2] = ("phone", "555-12")
            wrong[5] = ("effectiveDate", "2026-13-01")
            let refused = try await browser.post("/portal/policies", [("csrf", csrf)] + wrong)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(#"id="phone-error""#) && refused.text.contains(#"id="effectiveDate-error""#))
            #expect(refused.text.contains(#"value="555-12""#) && refused.text.contains(#"value="Kim &lt;b&gt;Ortiz&lt;/b&gt; &amp; co""#))
            #expect(try await api.fixture.count("policies", where: "policy_number = 'BOAT5005'") == 0)
            let registered = try await browser.post("/portal/policies", [("csrf", csrf)] + Self.registration)
            #expect(registered.status == .seeOther && registered.headers[.location] == "/portal/policies/BOAT5005?done=registered")
            let page = try await browser.get("/portal/policies/BOAT5005?done=registered")
            #expect(page.text.contains("welcome SMS queued") && page.text.contains("Kim &lt;b&gt;Ortiz&lt;/b&gt; &amp; co"))
            #expect(!page.text.contains("<b>Ortiz"))
            try await api.sender.waitFor(count: 1)
            #expect(api.sender.messages.first?.to.e164 == "+15551235005" && api.sender.messages.first?.body.contains("BOAT-5005") == true)
            let again = try await browser.post("/portal/policies", [("csrf", csrf)] + Self.registration)
            #expect(again.status == .conflict && again.text.contains("registered already"))
        }
    }

    @Test func everyChangeNeedsTheSessionsCSRFToken() async throws {
        try await VerificationAPIHarness.run(on: .sqlite) { api in
            var browser = Browser(client: api.client)
            _ = try await browser.signIn(api.secrets["ops"]!)
            let token = try await browser.csrf()
            for form in [Self.registration, [("csrf", String(repeating: "0", count: token.count))] + Self.registration] {
                #expect(try await browser.post("/portal/policies", form).status == .forbidden)
            }
            #expect(try await browser.post("/portal/conversations/%2B15551230001/unlock", [("policy", "AUTO1001")]).status == .forbidden)
            #expect(try await browser.post("/portal/logout", []).status == .forbidden)
            #expect(try await api.fixture.count("policies") == 2)
            #expect(try await browser.get("/portal").status == .ok)
            // Another session's token is no good either.
            var other = Browser(client: api.client)
            _ = try await other.signIn(api.secrets["ops"]!)
            #expect(try await other.post("/portal/policies", [("csrf", token)] + Self.registration).status == .forbidden)
        }
    }

    @Test func aSessionEndsOnSignOutRevocationIdlenessAndAfterEightHours() async throws {
        try await VerificationAPIHarness.run(on: .sqlite) { api in
            var browser = Browser(client: api.client)
            _ = try await browser.signIn(api.secrets["ops"]!)
            let signedOut = try await browser.post("/portal/logout", [("csrf", try await browser.csrf())])
            #expect(signedOut.status == .seeOther && signedOut.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await browser.get("/portal").status == .seeOther)

            _ = try await browser.signIn(api.secrets["ops"]!)
            api.clock.advance(by: 29 * 60)
            #expect(try await browser.get("/portal").status == .ok)
            api.clock.advance(by: 31 * 60)
            #expect(try await browser.get("/portal").status == .seeOther, "idle for 31 minutes")

            _ = try await browser.signIn(api.secrets["ops"]!)
            for _ in 0..<16 {  // 7 h 44 min, never idle for 30 minutes
                api.clock.advance(by: 29 * 60)
                #expect(try await browser.get("/portal").status == .ok)
            }
            api.clock.advance(by: 29 * 60)
            #expect(try await browser.get("/portal").status == .seeOther, "over 8 hours")

            #expect(try await browser.signIn(api.secrets["ops"]!).status == .seeOther)
            #expect(try await browser.get("/portal").status == .ok)
            // Another operator key keeps the portal there; the revoked key's session ends at once.
            let revoked = try await api.fixture.withStore { store in
                try await store.createAccessKey(AccessKey(name: "ops2", role: .operator, createdAt: api.clock.now), secretDigest: "x")
                return try await store.revokeAccessKey(named: "ops", at: api.clock.now)
            }
            #expect(revoked)
            let after = try await browser.get("/portal")
            #expect(after.status == .seeOther, "its key revoked: \(after.status) \(after.text.prefix(200))")
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aLockedNumberIsUnlockedFromItsPolicysPage(kind: StoreFixture.Kind) async throws {
        try await VerificationAPIHarness.run(on: kind) { api in
            let phone = TestPolicies.auto.phone.e164
            try await api.text("AUTO-1001", from: phone)
            let code = try #require(try await api.codes(to: phone, afterSMS: 1).last)
            for _ in 0..<5 { try await api.text(VerificationAPIHarness.wrong(code), from: phone) }
            var browser = Browser(client: api.client)
            _ = try await browser.signIn(api.secrets["ops"]!)
            let overview = try await browser.get("/portal").text
            #expect(overview.contains(#"id="codes">1<"#) && overview.contains(#"id="lockouts">1<"#) && overview.contains(#"id="inbound">6<"#))
            let page = try await browser.get("/portal/policies/AUTO1001").text
            #expect(page.contains("Locked for AUTO1001") && !page.contains(code))
            let unlocked = try await browser.post(
                "/portal/conversations/%2B15551230001/unlock", [("csrf", try await browser.csrf()), ("policy", "AUTO1001")])
            #expect(unlocked.headers[.location] == "/portal/policies/AUTO1001?done=unlocked")
            let after = try await browser.get("/portal/policies/AUTO1001?done=unlocked").text
            #expect(!after.contains("Locked for") && after.contains("Unlocked"))
            #expect(try await api.fixture.count("audit_events", where: "event = 'operator_unlock' AND actor = 'ops'") == 1)
            try await api.text("AUTO-1001", from: phone)  // unlocked: a new code, and a conversation to end
            let signedOut = try await browser.post(
                "/portal/conversations/%2B15551230001/logout", [("csrf", try await browser.csrf()), ("policy", "AUTO1001")])
            #expect(signedOut.headers[.location] == "/portal/policies/AUTO1001?done=signed-out")
            let audit = try await browser.get("/portal/audit").text
            #expect(audit.contains("operator_logout") && audit.contains("operator_unlock"))
            let outbox = try await browser.get("/portal/outbox").text
            #expect(outbox.contains("+1555***0001") && !outbox.contains(code))
        }
    }

    @Test func anEditedPhoneIsWelcomedAndTheOldOneWarned() async throws {
        try await VerificationAPIHarness.run(on: .sqlite) { api in
            var browser = Browser(client: api.client)
            _ = try await browser.signIn(api.secrets["ops"]!)
            let form = try await browser.get("/portal/policies/AUTO1001/edit").text
            #expect(form.contains(#"value="Dana Reyes""#) && form.contains("readonly"))
            var fields = Self.registration.filter { $0.0 != "policyNumber" }
            fields[0] = ("holderName", "Dana Reyes")
            fields[1] = ("phone", "+15551230999")
            let saved = try await browser.post("/portal/policies/AUTO1001", [("csrf", try await browser.csrf())] + fields)
            #expect(saved.headers[.location] == "/portal/policies/AUTO1001?done=saved-new-phone")
            try await api.sender.waitFor(count: 2)
            #expect(Set(api.sender.messages.map(\.to.e164)) == ["+15551230999", "+15551230001"])
            #expect(try await browser.get("/portal/policies/AUTO1001").text.contains("CLM-77"), "claims kept")
        }
    }
}
