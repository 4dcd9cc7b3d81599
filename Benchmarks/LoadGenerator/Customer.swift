import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TwilioKit

/// One texting customer: first text, policy number, the real code, STATUS, PREMIUM, CLAIMS.
struct Customer: Sendable {
    let client: HTTPClient
    let target: String
    let publicURL: String
    let authToken: String
    let accountSID: String
    var phone: String
    var policy: String

    struct Outcome: Sendable {
        var latencies: [Duration] = []
        var failures = 0
    }

    func walk(inbox: CodeInbox?) async -> Outcome {
        var outcome = Outcome()
        for text in ["Hi", policy] { await send(text, into: &outcome) }
        // Without a Twilio to read it from (the baseline), the code is a guess; the request costs the same.
        let code = await inbox?.code(for: phone)
        if inbox != nil, code == nil { outcome.failures += 1 }
        for text in [code ?? "000000", "STATUS", "PREMIUM", "CLAIMS"] { await send(text, into: &outcome) }
        return outcome
    }

    private func send(_ text: String, into outcome: inout Outcome) async {
        let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let form = FormParameters([
            ("ToCountry", "US"), ("ToState", "CA"), ("SmsMessageSid", sid), ("NumMedia", "0"), ("ToCity", ""),
            ("FromZip", "94105"), ("SmsSid", sid), ("FromState", "CA"), ("SmsStatus", "received"), ("FromCity", "SAN FRANCISCO"),
            ("Body", text), ("FromCountry", "US"), ("To", "+15550009999"), ("ToZip", ""), ("NumSegments", "1"),
            ("MessageSid", sid), ("AccountSid", accountSID), ("From", phone), ("ApiVersion", "2010-04-01"),
        ])
        var request = HTTPClientRequest(url: target + "/twilio/sms")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(
            name: "X-Twilio-Signature",
            value: WebhookSignature.compute(url: publicURL + "/twilio/sms", parameters: form, key: authToken, algorithm: .hmacSHA1))
        request.body = .bytes(ByteBuffer(string: form.urlEncoded))
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            outcome.latencies.append(ContinuousClock.now - started)
            if response.status != .ok { outcome.failures += 1 }
        } catch {
            outcome.failures += 1
        }
    }
}
