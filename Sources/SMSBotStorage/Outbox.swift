public import Foundation
public import SMSBotCore

/// An SMS to send, as queued in the outbox.
public struct OutboundSMS: Equatable, Sendable {
    /// What the SMS carries: an OTP is dropped once expired and its text erased once accepted.
    public enum Kind: String, Sendable {
        case otp
        case text
    }

    public var kind: Kind
    public var to: PhoneNumber
    public var body: String
    /// An OTP's expiry: it is never sent after this.
    public var notAfter: Date?

    /// Creates an SMS.
    public init(kind: Kind, to: PhoneNumber, body: String, notAfter: Date? = nil) {
        self.kind = kind
        self.to = to
        self.body = body
        self.notAfter = notAfter
    }
}

/// A queued SMS claimed for sending.
public struct OutboxMessage: Equatable, Sendable {
    public var id: Int64
    public var sms: OutboundSMS
    /// Attempts made before this one.
    public var attempts: Int
    /// Earlier attempts that may have reached the provider without an answer.
    public var ambiguousFailures: Int
    /// Whether the number opted out since the SMS was queued: then it must not be sent.
    public var recipientOptedOut: Bool

    /// Creates a claimed SMS.
    public init(id: Int64, sms: OutboundSMS, attempts: Int, ambiguousFailures: Int, recipientOptedOut: Bool) {
        self.id = id
        self.sms = sms
        self.attempts = attempts
        self.ambiguousFailures = ambiguousFailures
        self.recipientOptedOut = recipientOptedOut
    }
}

/// What became of one send attempt.
public enum OutboxResult: Equatable, Sendable {
    /// The provider accepted the SMS (with its id, if it gives one).
    case accepted(providerID: String?)
    /// Not sent, and never will be; `code` is the provider's error code. `optOut` records the
    /// recipient as opted out (Twilio 21610); `deliveryFailed` tells the customer on their next message.
    case dropped(reason: String, code: Int?, optOut: Bool, deliveryFailed: Bool)
    /// Try again at `at`; `ambiguous` when the provider may have processed this attempt.
    case retry(at: Date, code: Int?, ambiguous: Bool)
}
