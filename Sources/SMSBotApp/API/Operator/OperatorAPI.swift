import Foundation
import HTTPTypes
import SMSBotAPI
import SMSBotCore
import SMSBotStorage

/// The operator routes of SPEC §9 (role `operator`): policies, conversations, and the audit,
/// outbox and opt-out lists. Each change is one store transaction with its audit event.
struct OperatorAPI: Sendable {
    let store: any OperatorStore
    let renderer: ReplyRenderer
    let outbox: OutboxWorker
    /// `phone.defaultRegion`, for national numbers in a registered policy.
    let defaultRegion: String
    /// `session.idleSeconds`: a verified session idle this long is over.
    let sessionIdleTimeout: TimeInterval
    let now: @Sendable () -> Date

    /// The page size when none is asked for, and the largest allowed.
    static let defaultLimit = 50
    static let maxLimit = 200
    /// The longest search text and cursor (as the document says).
    static let maxQueryLength = 100
    static let maxCursorLength = 64

    /// The welcome SMS and the phone-changed notice of `policy`.
    func messages(for policy: Policy) -> PolicyMessages {
        let welcome = renderer.welcomeSMS(for: policy)
        let notice = renderer.phoneChangedNotice(for: policy)
        return PolicyMessages(
            welcome: { OutboundSMS(kind: .text, to: $0, body: welcome) },
            phoneChangedNotice: { OutboundSMS(kind: .text, to: $0, body: notice) })
    }

    /// The acting key's change, now.
    func action() throws -> OperatorAction {
        OperatorAction(actor: try APICaller.current().name, at: now())
    }

    /// Validates a policy as the import does; every invalid field with its reason.
    func policy(from input: Components.Schemas.PolicyInput) -> Result<Policy, APIError> {
        let text: [String: String?] = [
            "policyNumber": input.policyNumber, "holderName": input.holderName, "phone": input.phone, "product": input.product,
            "status": input.status, "effectiveDate": input.effectiveDate, "expiryDate": input.expiryDate, "premium": input.premium,
            "currency": input.currency, "premiumFrequency": input.premiumFrequency, "nextPaymentDue": input.nextPaymentDue,
            "balanceDue": input.balanceDue, "coverage": input.coverage, "deductible": input.deductible,
        ]
        let claims = (input.claims ?? []).map { claim in
            PolicyRecord.ClaimFields(
                fields: [
                    "claimNumber": claim.claimNumber, "status": claim.status, "filedOn": claim.filedOn, "amount": claim.amount,
                    "description": claim.description,
                ].compactMapValues { $0 })
        }
        let record = PolicyRecord(line: 0, fields: text.compactMapValues { $0 }, claims: claims)
        return record.validated(defaultRegion: defaultRegion).mapError { problems in
            APIError(
                status: .unprocessableContent, code: "invalid_policy", message: "The policy has invalid fields; see fields.",
                fields: problems.byField)
        }
    }

    /// `limit` checked against 1…200.
    static func pageSize(_ limit: Int?) -> Result<Int, APIError> {
        let size = limit ?? defaultLimit
        guard (1...maxLimit).contains(size) else {
            return .failure(.badRequest("invalid_limit", "limit is 1 to \(maxLimit).", fields: ["limit": "1 to \(maxLimit)"]))
        }
        return .success(size)
    }

    /// A phone from a path or query: E.164, its `+` possibly percent-encoded.
    static func phone(_ text: String, field: String) -> Result<PhoneNumber, APIError> {
        guard let phone = PhoneNumber(e164: text.removingPercentEncoding ?? text) else {
            return .failure(.badRequest("invalid_phone", "\(field) must be an E.164 number such as +15551230001.", fields: [field: "not E.164"]))
        }
        return .success(phone)
    }

    static let notFound = APIError(status: .notFound, code: "not_found", message: "No such policy, or nothing is known of that phone.")
}
