import Foundation
import HTTPTypes
import SMSBotAPI
import SMSBotStorage

/// An answer of the verification routes, typed, as the generated operations' outputs take it;
/// read back from a ``StoredResponse`` for an idempotent retry.
enum VerificationAnswer {
    case verification(status: Int, Components.Schemas.Verification)
    case error(status: Int, Components.Schemas.ErrorResponse, retryAfter: Int?)
    case noContent

    init(_ response: StoredResponse) throws {
        let data = Data(response.body.utf8)
        switch response.status {
        case 204: self = .noContent
        case 200, 201: self = .verification(status: response.status, try APIJSON.decoder.decode(Components.Schemas.Verification.self, from: data))
        default:
            self = .error(
                status: response.status, try APIJSON.decoder.decode(Components.Schemas.ErrorResponse.self, from: data),
                retryAfter: response.retryAfter)
        }
    }

    static func json(_ value: some Encodable) -> String {
        String(decoding: (try? APIJSON.encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    func createOutput() throws -> Operations.CreateVerification.Output {
        switch self {
        case .verification(201, let verification): return .created(.init(body: .json(verification)))
        case .error(422, let error, _): return .unprocessableContent(.init(body: .json(error)))
        case .error(429, let error, let retryAfter): return .tooManyRequests(.init(headers: .init(retryAfter: retryAfter ?? 1), body: .json(error)))
        default: throw UnexpectedAnswer(answer: "\(self)")
        }
    }

    func checkOutput() throws -> Operations.CheckVerification.Output {
        switch self {
        case .verification(200, let verification): return .ok(.init(body: .json(verification)))
        case .error(404, let error, _): return .notFound(.init(body: .json(error)))
        case .error(409, let error, _): return .conflict(.init(body: .json(error)))
        default: throw UnexpectedAnswer(answer: "\(self)")
        }
    }

    func cancelOutput() throws -> Operations.CancelVerification.Output {
        switch self {
        case .noContent: return .noContent(.init())
        case .error(404, let error, _): return .notFound(.init(body: .json(error)))
        case .error(409, let error, _): return .conflict(.init(body: .json(error)))
        default: throw UnexpectedAnswer(answer: "\(self)")
        }
    }

    /// An answer the operation does not document: a bug of ours (500), caught by the tests.
    struct UnexpectedAnswer: Error {
        var answer: String
    }
}
