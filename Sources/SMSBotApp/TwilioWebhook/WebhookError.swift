public import HTTPTypes
public import Hummingbird

/// A refused webhook request: the status and a one-line, plain-text reason for the caller.
/// The reason never quotes phone numbers, message text, signatures or secrets.
public struct WebhookError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    /// The one-line reason sent to the caller.
    public let reason: String

    init(_ status: HTTPResponse.Status, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
    }

    static let unsupportedMediaType = WebhookError(
        .unsupportedMediaType, "expected Content-Type application/x-www-form-urlencoded")
    static let contentTooLarge = WebhookError(.contentTooLarge, "request body is larger than 64 KiB")
    static let forbidden = WebhookError(.forbidden, "request signature is missing or invalid")
    static let wrongAccount = WebhookError(.forbidden, "AccountSid does not match this server's account")
    static let storeUnavailable = WebhookError(.serviceUnavailable, "store unavailable, retry later")

    static func badRequest(_ reason: String) -> WebhookError {
        WebhookError(.badRequest, reason)
    }
}
