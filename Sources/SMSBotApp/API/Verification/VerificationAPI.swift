import Crypto
import Foundation
import HTTPTypes
import SMSBotAPI
import SMSBotCore
import SMSBotStorage
import Synchronization

/// The verification routes of SPEC §8, as the generated `APIProtocol`: each request runs the
/// core's ``APIVerificationRules`` inside one store transaction; the code itself only ever
/// exists in the queued SMS.
struct VerificationAPI: Sendable {
    let store: any VerificationStore
    let rules: APIVerificationRules
    let renderer: ReplyRenderer
    let outbox: OutboxWorker
    let metrics: AppMetrics
    let now: @Sendable () -> Date

    func createVerification(_ input: Operations.CreateVerification.Input) async throws -> Operations.CreateVerification.Output {
        let key = try APICaller.current()
        guard case .json(let body) = input.body else { throw APIWiringError(reason: "no JSON body") }
        let destination: APIVerification.Destination
        switch Self.destination(body) {
        case .success(let parsed): destination = parsed
        case .failure(let error): return .badRequest(.init(body: .json(error.body)))
        }
        var idempotency: (key: String, requestDigest: String)?
        if let idempotencyKey = input.headers.idempotencyKey {
            guard (1...255).contains(idempotencyKey.count) else {
                return .badRequest(
                    .init(body: .json(APIError.badRequest("invalid_idempotency_key", "Idempotency-Key takes 1 to 255 characters.").body)))
            }
            idempotency = (idempotencyKey, Self.digest(of: destination))
        }
        let request = VerificationRequest(requester: key.name, destination: destination, idempotency: idempotency, now: currentTime)
        let answer = AnswerSlot()
        let outcome = try await storing {
            try await store.requestVerification(request) { [rules] facts in
                var random = SystemRandomNumberGenerator()
                return write(
                    rules.creationRequested(by: key.name, for: destination, facts: facts, now: request.now, random: &random),
                    success: 201, at: request.now, retained: request.idempotency != nil, into: answer)
            }
        }
        switch outcome {
        case .decided(let response):
            if response.status == 201 { outbox.wake() }
            return try answer.value(else: response).createOutput()
        case .replayed(let response):
            return try VerificationAnswer(response).createOutput()
        case .idempotencyKeyReused:
            let error = APIError(
                status: .unprocessableContent, code: "idempotency_key_reused",
                message: "This Idempotency-Key was used for another request in the last 24 hours.")
            return .unprocessableContent(.init(body: .json(error.body)))
        }
    }

    func getVerification(_ input: Operations.GetVerification.Input) async throws -> Operations.GetVerification.Output {
        let key = try APICaller.current()
        let verification = try await storing { try await store.verification(id: input.path.id, requester: key.name) }
        guard let verification else { return .notFound(.init(body: .json(APIError(.notFound).body))) }
        return .ok(.init(body: .json(Self.view(of: verification, at: currentTime))))
    }

    func checkVerification(_ input: Operations.CheckVerification.Input) async throws -> Operations.CheckVerification.Output {
        let key = try APICaller.current()
        guard case .json(let body) = input.body else { throw APIWiringError(reason: "no JSON body") }
        guard rules.isWellFormed(code: body.code) else {
            let digits = rules.rules.settings.codeLength
            let error = APIError.badRequest("invalid_code", "A code is \(digits) digits.", fields: ["code": "expected \(digits) digits"])
            return .badRequest(.init(body: .json(error.body)))
        }
        let time = currentTime
        let answer = AnswerSlot()
        let response = try await storing {
            try await store.updateVerification(id: input.path.id, requester: key.name, at: time) { [rules] verification, history in
                write(
                    rules.codeEntered(
                        body.code, against: verification, failedAttempts: history.failedAttempts, earlierLockouts: history.lockoutsStarted,
                        now: time),
                    success: 200, at: time, into: answer)
            }
        }
        return try answer.value(else: response).checkOutput()
    }

    func cancelVerification(_ input: Operations.CancelVerification.Input) async throws -> Operations.CancelVerification.Output {
        let key = try APICaller.current()
        let time = currentTime
        let answer = AnswerSlot()
        let response = try await storing {
            try await store.updateVerification(id: input.path.id, requester: key.name, at: time) { [rules] verification, _ in
                write(rules.cancelRequested(verification, now: time), success: 204, at: time, into: answer)
            }
        }
        return try answer.value(else: response).cancelOutput()
    }

    /// The time, to the millisecond the store keeps: a check against a stored time (a cooldown
    /// of exactly 30 s) then means what it says.
    private var currentTime: Date { Date(unixMilliseconds: now().unixMilliseconds) }

    /// What to store for `decision`, and its answer, put in `answer`: the verification with
    /// `success`, or the refusal. The response's JSON is written out only when it is `retained`
    /// for idempotent retries; otherwise the typed answer goes out as is.
    private func write(
        _ decision: VerificationDecision, success: Int, at now: Date, retained: Bool = false, into answer: AnswerSlot
    ) -> VerificationWrite {
        switch decision {
        case .refused(let refusal):
            let error = APIError(refusal)
            answer.set(.error(status: error.status.code, error.body, retryAfter: error.retryAfter))
            return VerificationWrite(
                verification: nil, effects: [], outbound: nil,
                response: StoredResponse(status: error.status.code, body: "", retryAfter: error.retryAfter))
        case .answered(let verification, let effects):
            metrics.recordVerificationEvents(effects)
            let outbound = effects.lazy.compactMap { effect -> OutboundSMS? in
                guard case .sendCode(let code, let phone, let expiresAt) = effect else { return nil }
                return OutboundSMS(kind: .otp, to: phone, body: renderer.otpSMS(code: code), notAfter: expiresAt)
            }.first
            let view = Self.view(of: verification, at: now)
            answer.set(success == 204 ? .noContent : .verification(status: success, view))
            return VerificationWrite(
                verification: verification, effects: effects, outbound: outbound,
                response: StoredResponse(status: success, body: retained ? VerificationAnswer.json(view) : ""))
        }
    }

    /// The verification as the API shows it: the phone masked, and only when the caller gave it.
    static func view(of verification: APIVerification, at now: Date) -> Components.Schemas.Verification {
        let to: String? =
            switch verification.destination {
            case .phone(let phone): phone.masked
            case .policy: nil
            }
        return Components.Schemas.Verification(
            id: verification.id, status: .init(rawValue: verification.status(at: now).rawValue) ?? .pending, channel: .sms,
            expiresAt: verification.challenge.expiresAt, attemptsLeft: verification.attemptsLeft, to: to)
    }

    private static func destination(_ body: Components.Schemas.VerificationRequest) -> Result<APIVerification.Destination, APIError> {
        switch body {
        case .PhoneDestination(let given):
            guard let phone = PhoneNumber(e164: given.to) else {
                return .failure(.badRequest("invalid_phone", "to must be an E.164 number such as +15551230001.", fields: ["to": "not E.164"]))
            }
            return .success(.phone(phone))
        case .PolicyDestination(let given):
            guard let policy = PolicyNumber(given.policyNumber) else {
                return .failure(
                    .badRequest("invalid_policy_number", "policyNumber is not a policy number.", fields: ["policyNumber": "not a policy number"]))
            }
            return .success(.policy(policy))
        }
    }

    /// What an idempotent retry must repeat: the destination, whatever the JSON's spacing or order.
    private static func digest(of destination: APIVerification.Destination) -> String {
        SHA256.hash(data: Array("create\n\(destination.subject)".utf8)).lowercaseHex
    }

    /// The answer decided inside a store transaction, carried out of it.
    private final class AnswerSlot: Sendable {
        private let answer = Mutex<VerificationAnswer?>(nil)

        func set(_ value: VerificationAnswer) { answer.withLock { $0 = value } }

        /// The answer decided, or `response` read back (a transaction retried elsewhere).
        func value(else response: StoredResponse) throws -> VerificationAnswer {
            try answer.withLock { $0 } ?? VerificationAnswer(response)
        }
    }
}
