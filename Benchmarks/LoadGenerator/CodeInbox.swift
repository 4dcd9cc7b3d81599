import Foundation
import Hummingbird
import Synchronization
import TwilioKit

/// The benchmark's Twilio: accepts Messages API calls on loopback and keeps the code each
/// phone was sent, so a virtual customer can type it back.
final class CodeInbox: Sendable {
    private let codes = Mutex<[String: String]>([:])
    private let received = Atomic<Int>(0)

    var messagesReceived: Int { received.load(ordering: .relaxed) }

    func application(port: Int) -> some ApplicationProtocol {
        let router = Router()
        router.post("/2010-04-01/Accounts/:account/Messages.json") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let form = try FormParameters(decoding: body.readableBytesView)
            self.received.add(1, ordering: .relaxed)
            if let to = form["To"], let code = form["Body"]?.firstMatch(of: /code: (\d+)/).map({ String($0.1) }) {
                self.codes.withLock { $0[to] = code }
            }
            let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"sid": "\#(sid)", "status": "queued"}"#)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    /// The code texted to `phone`, waiting up to `timeout` for it to arrive.
    func code(for phone: String, timeout: Duration = .seconds(15)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let code = codes.withLock({ $0.removeValue(forKey: phone) }) { return code }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}
