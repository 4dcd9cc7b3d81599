import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A bot calling the verification API for one customer: create by policy number, then check
/// the code the fake Twilio received.
struct VerificationCaller: Sendable {
    let client: HTTPClient
    let target: String
    let apiKey: String

    /// `POST /api/v1/verifications`: the verification's id, or `nil` on failure; and the latency.
    func create(policy: String) async -> (id: String?, latency: Duration) {
        let (status, body, latency) = await post("/api/v1/verifications", json: #"{"policyNumber": "\#(policy)"}"#)
        guard status == .created, let id = Self.string("id", in: body) else { return (nil, latency) }
        return (id, latency)
    }

    /// `POST /api/v1/verifications/ID/check`: whether it was approved; and the latency.
    func check(id: String, code: String) async -> (approved: Bool, latency: Duration) {
        let (status, body, latency) = await post("/api/v1/verifications/\(id)/check", json: #"{"code": "\#(code)"}"#)
        return (status == .ok && Self.string("status", in: body) == "approved", latency)
    }

    private func post(_ path: String, json: String) async -> (HTTPResponseStatus?, String, Duration) {
        var request = HTTPClientRequest(url: target + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 16)
            return (response.status, String(buffer: body), ContinuousClock.now - started)
        } catch {
            return (nil, "", ContinuousClock.now - started)
        }
    }

    /// A top-level string member of a small JSON object.
    private static func string(_ key: String, in json: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?[key] as? String
    }
}
