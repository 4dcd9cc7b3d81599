public import Foundation
public import Hummingbird
import HTTPTypes
import Synchronization

/// A stand-in for Twilio's Messages API: a real Hummingbird server on 127.0.0.1 that records
/// every request and answers as scripted, faults included. Requests to any other route are
/// recorded as unexpected, for the test to fail on.
public final class FakeTwilio: Sendable {
    /// How the fake answers one Messages API call.
    public enum Behaviour: Sendable {
        /// `201` with a message resource, status `queued`.
        case accept
        /// An HTTP status with Twilio's error JSON (`code` included when given).
        case fail(status: Int, code: Int?, retryAfter: Int? = nil)
        /// Waits this long before accepting: beyond the client's timeout, an ambiguous failure.
        case delay(Duration)
    }

    /// One recorded Messages API call.
    public struct Call: Sendable {
        public let accountSID: String
        public let authorization: String?
        public let form: [String: String]
    }

    private struct State {
        var script: [Behaviour] = []
        var calls: [Call] = []
        var unexpected: [String] = []
        var issued = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues behaviours for the next calls; once they run out, every call is accepted.
    public func script(_ behaviours: Behaviour...) {
        state.withLock { $0.script += behaviours }
    }

    /// Every Messages API call so far.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// Requests to routes Twilio does not have.
    public var unexpectedRequests: [String] { state.withLock { $0.unexpected } }

    /// Waits until `count` calls arrived, or `timeout` passed.
    public func waitForCalls(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while calls.count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The fake as an application, for `app.test(.live)`: its client's port is the fake's.
    public func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/2010-04-01/Accounts/:account/Messages.json") { request, context in
            try await self.createMessage(request, context: context)
        }
        router.addMiddleware { UnexpectedRouteRecorder(fake: self) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    private func createMessage(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        let form = Dictionary(
            String(buffer: body).split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { $1 })
        let call = Call(
            accountSID: context.parameters.get("account") ?? "", authorization: request.headers[.authorization], form: form)
        let behaviour = state.withLock { state -> Behaviour in
            state.calls.append(call)
            return state.script.isEmpty ? .accept : state.script.removeFirst()
        }
        switch behaviour {
        case .accept:
            return accepted(call)
        case .delay(let duration):
            try await Task.sleep(for: duration)
            return accepted(call)
        case .fail(let status, let code, let retryAfter):
            var headers: HTTPFields = [.contentType: "application/json"]
            if let retryAfter { headers[HTTPField.Name("Retry-After")!] = String(retryAfter) }
            let json = #"{"code": \#(code.map(String.init) ?? "null"), "message": "fake failure", "more_info": "https://www.twilio.com/docs/errors/\#(code ?? 0)", "status": \#(status)}"#
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }

    private func accepted(_ call: Call) -> Response {
        let sid = state.withLock { state -> String in
            state.issued += 1
            return "SM" + String(format: "%032x", state.issued)
        }
        let json = #"{"sid": "\#(sid)", "status": "queued", "to": "\#(call.form["To"] ?? "")", "body": "\#(call.form["Body"] ?? "")"}"#
        return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    fileprivate func recordUnexpected(_ request: Request) {
        state.withLock { $0.unexpected.append("\(request.method) \(request.uri.path)") }
    }
}

/// Records requests no route answered.
private struct UnexpectedRouteRecorder: RouterMiddleware {
    let fake: FakeTwilio

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            return response
        } catch let error as HTTPError where error.status == .notFound {
            fake.recordUnexpected(request)
            throw error
        }
    }
}
