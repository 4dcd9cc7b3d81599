import Foundation
import SMSBotCore
public import SMSBotStorage

/// Delivers one outbound SMS. The live senders are the console (prints) and Twilio.
public protocol SMSSender: Sendable {
    /// Sends `sms`; returns the provider's message id when it gives one.
    /// - Throws: ``SMSSendError`` saying whether trying again makes sense.
    func send(_ sms: OutboundSMS) async throws(SMSSendError) -> String?
}

/// Why an SMS was not sent, and whether the provider may have taken it anyway.
/// Its text never holds the message body or a full number.
public struct SMSSendError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What the failure says about the request.
    public enum Kind: Equatable, Sendable {
        /// Surely not processed: safe to send again.
        case notSent
        /// Perhaps processed: sending again may duplicate it, so at most once more.
        case ambiguous
        /// Refused: sending again will not help.
        case rejected
    }

    public var kind: Kind
    /// The provider's error code, e.g. Twilio's 21610 (recipient opted out).
    public var code: Int?
    public var reason: String
    /// Seconds the provider asked to wait before trying again.
    public var retryAfter: Double?

    /// Creates an error.
    public init(kind: Kind, code: Int? = nil, reason: String, retryAfter: Double? = nil) {
        self.kind = kind
        self.code = code
        self.reason = reason
        self.retryAfter = retryAfter
    }

    public var description: String { reason }
}

/// Prints each SMS instead of sending it: development mode, `simulate`, and `sms.sender: console`.
/// This is the one place a code may be shown in full, on the operator's own terminal, never in a log.
public struct ConsoleSender: SMSSender {
    private let write: @Sendable (String) -> Void

    /// Prints through `write` (standard output by default).
    public init(write: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.write = write
    }

    public func send(_ sms: OutboundSMS) async throws(SMSSendError) -> String? {
        write("📱 SMS to \(sms.to.masked): \(sms.body)")
        return nil
    }
}
