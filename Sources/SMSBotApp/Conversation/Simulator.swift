public import Foundation
public import SMSBotCore
import SMSBotStorage

/// `smsbot simulate`: a terminal chat with the bot as one phone number, through the same
/// engine and store as `serve`. Outbound SMS, the code among them, are printed inline.
public struct Simulator: Sendable {
    let services: AppServices
    let from: PhoneNumber
    let now: @Sendable () -> Date

    /// Creates a simulator texting as `from`. The services must print SMS through the same output.
    public init(services: AppServices, from: PhoneNumber, now: @escaping @Sendable () -> Date = Date.init) {
        self.services = services
        self.from = from
        self.now = now
    }

    /// Reads lines until `/quit` or the end of input, answering each as the bot would.
    public func run(
        readLine: () -> String?, write: (String) -> Void, prompt: Bool
    ) async throws {
        write("Texting as \(from.e164). Type a message (a policy number, or FORGOT if you have none at hand), or /quit to leave.")
        while true {
            if prompt { write("you> ") }
            guard let line = readLine(), line.trimming(\.isWhitespace) != "/quit" else { return }
            let sid = MessageSID("SIM" + UUID().uuidString.replacingOccurrences(of: "-", with: ""))!
            let outcome = try await services.conversations.handle(
                IncomingMessage(from: from, text: line, receivedAt: now()), messageSID: sid)
            for reply in outcome.replies {
                write("bot> \(reply)")
            }
            if outcome.replies.isEmpty { write("bot> (no reply)") }
            await services.conversations.deliverOutbox()
        }
    }
}
