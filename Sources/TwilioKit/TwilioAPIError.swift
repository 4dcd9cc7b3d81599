/// A failed call to the Twilio REST API, classified by what it means for a retry.
///
/// The Messages API has no idempotency key, so what matters is whether Twilio may have
/// processed the request. The text holds the status and Twilio's code and message, never
/// the request's body or numbers.
public struct TwilioAPIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What the failure says about the request.
    public enum Kind: Equatable, Sendable {
        /// Surely not processed (connection refused, 429, Twilio 20429, 503): safe to retry.
        case notProcessed
        /// Perhaps processed (timeout after sending, other 5xx): retry at most once.
        case ambiguous
        /// Refused (other 4xx): retrying will not help.
        case rejected
    }

    public var kind: Kind
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// Twilio's error code, e.g. 21610 (the recipient opted out) or 21211 (invalid `To`).
    public var code: Int?
    public var message: String
    /// Seconds Twilio asked to wait (`Retry-After`), when it said.
    public var retryAfter: Double?

    /// Creates an error.
    public init(kind: Kind, httpStatus: Int? = nil, code: Int? = nil, message: String, retryAfter: Double? = nil) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    /// Twilio's "Attempt to send to unsubscribed recipient".
    public static let unsubscribedRecipient = 21610

    public var description: String {
        var text = "Twilio API error"
        if let httpStatus { text += " HTTP \(httpStatus)" }
        if let code { text += " code \(code)" }
        return text + ": " + message
    }

    /// Classifies an HTTP error response from its status and Twilio's error code.
    static func kind(httpStatus: Int, code: Int?) -> Kind {
        switch (httpStatus, code) {
        case (429, _), (503, _), (_, 20429): .notProcessed
        case (500...599, _): .ambiguous
        default: .rejected
        }
    }
}
