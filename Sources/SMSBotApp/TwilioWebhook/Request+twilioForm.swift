import Foundation
import Hummingbird
import SMSBotCore
import TwilioKit

extension Request {
    /// The largest webhook body accepted (SPEC §3).
    static let maxWebhookBodySize = 64 * 1024

    /// Reads the body as a urlencoded form, refusing other media types (415), bodies over
    /// 64 KiB (413) and malformed encodings (400).
    func twilioForm() async throws -> FormParameters {
        guard Self.isFormURLEncoded(headers[.contentType]) else { throw WebhookError.unsupportedMediaType }
        let body: ByteBuffer
        do {
            body = try await self.body.collect(upTo: Self.maxWebhookBodySize)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw WebhookError.contentTooLarge
        }
        do {
            return try FormParameters(decoding: body.readableBytesView)
        } catch {
            throw WebhookError.badRequest(error.description)
        }
    }

    /// The path and query Twilio requested, as signed.
    var pathAndQuery: String { head.path ?? "/" }

    /// `application/x-www-form-urlencoded`, any case, with no charset or UTF-8 (quoted or not).
    private static func isFormURLEncoded(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let parts = contentType.split(separator: ";").map { $0.trimming { $0 == " " || $0 == "\t" }.lowercased() }
        guard parts.first == "application/x-www-form-urlencoded" else { return false }
        let charset = parts.dropFirst().first { $0.hasPrefix("charset=") }?.dropFirst("charset=".count)
        return charset.map { $0.trimming { $0 == "\"" } == "utf-8" } ?? true
    }
}
