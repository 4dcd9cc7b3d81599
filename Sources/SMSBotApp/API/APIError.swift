import Foundation
import HTTPTypes
import Hummingbird
import SMSBotAPI
import SMSBotCore

/// An error answer of the `/api/v1` routes (SPEC §7): `{"error": {"code", "message", "fields"?}}`.
struct APIError: Error, Equatable, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var fields: [String: String]?
    var retryAfter: Int?

    /// The JSON body.
    var body: Components.Schemas.ErrorResponse {
        Components.Schemas.ErrorResponse(code: code, message: message, fields: fields)
    }

    /// The answer as a Hummingbird response, for refusals made before the generated handlers run.
    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        let data = (try? APIJSON.encoder.encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ code: String, _ message: String, fields: [String: String]? = nil) -> APIError {
        APIError(status: .badRequest, code: code, message: message, fields: fields)
    }

    static let unavailable = APIError(
        status: .serviceUnavailable, code: "unavailable", message: "The service cannot reach its database; try again shortly.")
}

extension APIError {
    /// The refusal of an access check, or `nil` when the request may go on.
    init?(_ decision: AccessControl.Decision) {
        switch decision {
        case .allowed:
            return nil
        case .unauthorized:
            self.init(status: .unauthorized, code: "unauthorized", message: "Send an access key as Authorization: Bearer <secret>.")
        case .forbidden:
            self.init(status: .forbidden, code: "forbidden", message: "This access key's role may not use this route.")
        case .tooManyFailures(let retryAfter):
            self.init(
                status: .tooManyRequests, code: "too_many_failed_credentials",
                message: "Too many wrong credentials from this address; wait a minute.", retryAfter: retryAfter)
        case .rateLimited(let retryAfter):
            self.init(
                status: .tooManyRequests, code: "rate_limited", message: "This access key made too many requests this minute.",
                retryAfter: retryAfter)
        case .hidden:
            self.init(status: .notFound, code: "not_found", message: "No such route.")
        }
    }

    /// The answer to a refused verification request.
    init(_ refusal: VerificationRefusal) {
        switch refusal {
        case .countryNotAllowed:
            self.init(
                status: .unprocessableContent, code: "country_not_allowed", message: "This service does not send codes to that country.",
                fields: ["to": "not in an allowed country"])
        case .optedOut:
            self.init(
                status: .unprocessableContent, code: "opted_out", message: "This phone opted out of our SMS (STOP); it must text START first.",
                fields: ["to": "opted out"])
        case .locked(let retryAfter):
            self.init(
                status: .tooManyRequests, code: "locked", message: "Too many wrong codes for this destination; try again later.",
                retryAfter: retryAfter)
        case .cooldown(let retryAfter):
            self.init(
                status: .tooManyRequests, code: "cooldown", message: "A code was sent moments ago; wait before asking for another.",
                retryAfter: retryAfter)
        case .tooManyCodes(let retryAfter):
            self.init(
                status: .tooManyRequests, code: "too_many_codes", message: "Too many codes asked for this destination this hour.",
                retryAfter: retryAfter)
        case .destinationLimit(let retryAfter):
            self.init(
                status: .tooManyRequests, code: "destination_limit", message: "This phone received too many codes this hour.",
                retryAfter: retryAfter)
        case .sendBudgetExhausted(let retryAfter):
            self.init(
                status: .tooManyRequests, code: "send_budget_exhausted", message: "The API's hourly SMS budget is used up; try again later.",
                retryAfter: retryAfter)
        case .notPending:
            self.init(status: .conflict, code: "not_pending", message: "This verification is no longer pending; nothing changed.")
        case .notFound:
            self.init(status: .notFound, code: "not_found", message: "No such verification for this access key.")
        }
    }
}

/// The JSON coders of the API: dates as ISO 8601 (`2026-12-01T10:05:00Z`), as the document says.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
