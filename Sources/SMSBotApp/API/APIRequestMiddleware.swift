import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import SMSBotCore
import SMSBotStorage

/// In front of every generated `/api/v1` handler: the credential (SPEC §7), the body's media
/// type and size, and errors turned into the API's JSON errors, never a 500 for a client's mistake.
struct APIRequestMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let access: AccessControl

    /// Where the document's paths are mounted (its `servers` entry).
    static let serverURL = URL(string: "/api/v1")!

    /// Compact JSON, keys in order (the runtime pretty-prints by default, at a cost in CPU and bytes).
    static let runtimeConfiguration = Configuration(jsonEncodingOptions: [.sortedKeys])

    /// The largest body accepted (SPEC §7).
    static let maxBodySize = 16 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let decision: AccessControl.Decision
        do {
            decision = try await access.decide(request, context: context, role: Self.role(for: request.uri.path))
        } catch {
            // The keys live in the store: without it, no credential can be checked.
            context.logger.error("access check failed", metadata: ["error": "\(error)"])
            return APIError.unavailable.response
        }
        if let refusal = APIError(decision) { return refusal.response }
        guard case .allowed(let key) = decision else { return APIError.unavailable.response }
        var request = request
        if request.method == .post || request.method == .put {
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxBodySize { return Self.tooLarge.response }
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maxBodySize)
            } catch {
                return Self.tooLarge.response
            }
            // A POST that needs no body (logout, unlock) needs no media type either.
            if body.readableBytes > 0, let refusal = Self.mediaTypeRefusal(request) { return refusal.response }
        }
        do {
            return try await APICaller.$key.withValue(key) { try await next(request, context) }
        } catch let error as ServerError {
            return Self.answer(to: error, logger: context.logger).response
        }
    }

    /// The role a route needs: `verify` for the verification API, `operator` for the rest.
    static func role(for path: String) -> AccessKey.Role {
        path.hasPrefix(serverURL.path + "/verifications") ? .verify : .operator
    }

    private static let tooLarge = APIError(
        status: .contentTooLarge, code: "body_too_large", message: "The body is over 16 KiB.")

    /// `415` for a body that is not UTF-8 JSON.
    private static func mediaTypeRefusal(_ request: Request) -> APIError? {
        let mediaType = request.headers[.contentType].map { value in
            value.split(separator: ";", maxSplits: 1).first.map { $0.trimming(\.isWhitespace).lowercased() } ?? ""
        }
        let charset = request.headers[.contentType]?.lowercased().split(separator: ";").dropFirst()
            .map { $0.trimming(\.isWhitespace) }.first { $0.hasPrefix("charset=") }?.dropFirst(8)
        guard mediaType == "application/json", charset.map({ $0 == "utf-8" || $0 == "\"utf-8\"" }) ?? true else {
            return APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type", message: "Send the body as application/json (UTF-8).")
        }
        return nil
    }

    /// A generated handler's error: a body or parameter that does not decode is the client's
    /// mistake (`400`); an unreachable store is `503`; anything else is ours.
    private static func answer(to error: ServerError, logger: Logger) -> APIError {
        if error.underlyingError is StoreUnavailable {
            logger.error("store failed", metadata: ["operation": "\(error.operationID)", "error": "\(error.underlyingError)"])
            return .unavailable
        }
        guard error.operationInput == nil else {
            logger.error("API handler failed", metadata: ["operation": "\(error.operationID)", "error": "\(error.underlyingError)"])
            return APIError(status: .internalServerError, code: "internal_error", message: "Something went wrong on our side.")
        }
        return .badRequest("invalid_request", "The request does not match the API: \(problem(in: error.underlyingError))", fields: fields(of: error.underlyingError))
    }

    /// One line on what did not decode, without echoing the input.
    private static func problem(in error: any Error) -> String {
        if let decoding = error as? DecodingError, Self.fields(of: decoding) == nil {
            return "the body is not JSON of the documented shape (see /api/v1/openapi.json)."
        }
        return switch error as? DecodingError {
        case .typeMismatch(let type, _): "expected \(type) here."
        case .valueNotFound(let type, _): "expected \(type), got null."
        case .keyNotFound(let key, _): "\(key.stringValue) is required."
        case .dataCorrupted: "the body is not JSON of the expected shape."
        default: "malformed body or parameters."
        }
    }

    /// The field a decoding error is about, when it names one.
    private static func fields(of error: any Error) -> [String: String]? {
        guard let decoding = error as? DecodingError else { return nil }
        switch decoding {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            guard let field = context.codingPath.last?.stringValue else { return nil }
            return [field: "wrong type or value"]
        case .keyNotFound(let key, _):
            return [key.stringValue: "required"]
        @unknown default:
            return nil
        }
    }
}

/// The access key of the request being handled, for the generated handlers, which see no request context.
enum APICaller {
    @TaskLocal static var key: AccessKey?

    /// The key; throws when ``APIRequestMiddleware`` did not run (a wiring mistake: a 500).
    static func current() throws -> AccessKey {
        guard let key else { throw APIWiringError(reason: "no access key: the API middleware did not run") }
        return key
    }
}

/// A mistake of ours, never a client's (a 500): the middleware did not run, or the generated
/// code let through a request without its required body.
struct APIWiringError: Error {
    var reason: String
}

/// The store failed or did not answer: `503`.
struct StoreUnavailable: Error {
    var underlying: any Error
}

/// Runs a store operation; its failure is a `503`, not the client's mistake. An operator's
/// refusal (``OperatorRefusal``) passes through for the handler to answer.
@discardableResult
func storing<T>(_ operation: () async throws -> T) async throws -> T {
    do {
        return try await operation()
    } catch let refusal as OperatorRefusal {
        throw refusal
    } catch {
        throw StoreUnavailable(underlying: error)
    }
}
