import Foundation
import Hummingbird
import Logging
import Synchronization
import TwilioKit

/// The benchmark's Twilio: accepts Messages API calls on loopback and keeps the code each
/// phone was sent, so a virtual customer can type it back.
final class CodeInbox: Sendable {
    /// Per phone: the code that arrived first, or the customer waiting for it.
    private let mailboxes = Mutex<[String: Mailbox]>([:])
    private let received = Atomic<Int>(0)

    var messagesReceived: Int { received.load(ordering: .relaxed) }

    func application(port: Int) -> some ApplicationProtocol {
        let router = Router()
        router.post("/2010-04-01/Accounts/:account/Messages.json") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let form = try FormParameters(decoding: body.readableBytesView)
            self.received.add(1, ordering: .relaxed)
            if let to = form["To"], let code = form["Body"].flatMap(Self.code(in:)) {
                self.deliver(code, to: to)
            }
            let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"sid": "\#(sid)", "status": "queued"}"#)))
        }
        // Quiet: its shutdown at the end of a run is expected, not worth a log line.
        var logger = Logger(label: "fake-twilio")
        logger.logLevel = .critical
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    }

    /// The code texted to `phone`, waiting up to `timeout` for it to arrive. Waiting costs
    /// nothing until it does: the generator must not eat the CPU it is measuring.
    func code(for phone: String, timeout: Duration = .seconds(15)) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask { await self.arrival(for: phone) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { deliver(nil, to: phone) }  // releases the waiter after a timeout
            return first
        }
    }

    /// The digits after "code: " in an OTP SMS (scanned: a Regex costs more than the request).
    private static func code(in body: String) -> String? {
        guard let label = body.utf8.firstRange(of: "code: ".utf8) else { return nil }
        let digits = body.utf8[label.upperBound...].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        return digits.isEmpty ? nil : String(decoding: digits, as: UTF8.self)
    }

    private enum Mailbox {
        case code(String)
        case waiter(CheckedContinuation<String?, Never>)
    }

    private func arrival(for phone: String) async -> String? {
        await withCheckedContinuation { continuation in
            let code = mailboxes.withLock { mailboxes -> String? in
                if case .code(let code) = mailboxes.removeValue(forKey: phone) { return code }
                mailboxes[phone] = .waiter(continuation)
                return nil
            }
            if let code { continuation.resume(returning: code) }
        }
    }

    private func deliver(_ code: String?, to phone: String) {
        let waiter = mailboxes.withLock { mailboxes -> CheckedContinuation<String?, Never>? in
            if case .waiter(let waiter) = mailboxes[phone] {
                mailboxes[phone] = nil
                return waiter
            }
            if let code { mailboxes[phone] = .code(code) }
            return nil
        }
        waiter?.resume(returning: code)
    }
}
