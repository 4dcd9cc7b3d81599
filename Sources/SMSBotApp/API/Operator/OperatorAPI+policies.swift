import Foundation
import HTTPTypes
import SMSBotAPI
import SMSBotCore
import SMSBotStorage

extension OperatorAPI {
    func listPolicies(_ input: Operations.ListPolicies.Input) async throws -> Operations.ListPolicies.Output {
        let limit: Int
        switch Self.pageSize(input.query.limit) {
        case .success(let size): limit = size
        case .failure(let error): return .badRequest(.init(body: .json(error.body)))
        }
        if let q = input.query.q, q.count > Self.maxQueryLength {
            return .badRequest(.init(body: .json(APIError.badRequest("invalid_query", "q is at most \(Self.maxQueryLength) characters.").body)))
        }
        let cursor = input.query.cursor.map { PolicyNumber($0)?.canonical }
        if case .some(nil) = cursor {
            return .badRequest(.init(body: .json(APIError.badRequest("invalid_cursor", "cursor is not one this API gave.").body)))
        }
        let page = try await storing { try await store.searchPolicies(input.query.q ?? "", limit: limit, after: cursor ?? nil) }
        return .ok(
            .init(
                body: .json(
                    .init(
                        policies: page.items.map {
                            .init(policyNumber: $0.displayNumber, holderName: $0.holderName, phone: $0.phoneMasked, product: $0.product, status: $0.status)
                        }, nextCursor: page.nextCursor))))
    }

    func getPolicy(_ input: Operations.GetPolicy.Input) async throws -> Operations.GetPolicy.Output {
        guard let number = PolicyNumber(input.path.policyNumber),
            let policy = try await storing({ try await store.policy(numbered: number) })
        else { return .notFound(.init(body: .json(Self.notFound.body))) }
        return .ok(.init(body: .json(Self.view(of: policy))))
    }

    func registerPolicy(_ input: Operations.RegisterPolicy.Input) async throws -> Operations.RegisterPolicy.Output {
        guard case .json(let body) = input.body else { throw APIWiringError(reason: "no JSON body") }
        let policy: Policy
        switch self.policy(from: body) {
        case .success(let valid): policy = valid
        case .failure(let error): return .unprocessableContent(.init(body: .json(error.body)))
        }
        let action = try action()
        do {
            try await storing { try await store.registerPolicy(policy, messages: messages(for: policy), by: action) }
        } catch OperatorRefusal.policyExists {
            let error = APIError(status: .conflict, code: "policy_exists", message: "That policy number is registered already; PUT replaces it.")
            return .conflict(.init(body: .json(error.body)))
        }
        outbox.wake()
        return .created(.init(body: .json(Self.view(of: policy))))
    }

    func replacePolicy(_ input: Operations.ReplacePolicy.Input) async throws -> Operations.ReplacePolicy.Output {
        guard case .json(let body) = input.body else { throw APIWiringError(reason: "no JSON body") }
        guard let number = PolicyNumber(input.path.policyNumber) else { return .notFound(.init(body: .json(Self.notFound.body))) }
        let policy: Policy
        switch self.policy(from: body) {
        case .success(let valid) where valid.number == number:
            policy = valid
        case .success:
            let error = APIError(
                status: .unprocessableContent, code: "invalid_policy", message: "policyNumber must be the number in the path.",
                fields: ["policyNumber": "must be the number in the path"])
            return .unprocessableContent(.init(body: .json(error.body)))
        case .failure(let error):
            return .unprocessableContent(.init(body: .json(error.body)))
        }
        let action = try action()
        do {
            try await storing { try await store.replacePolicy(policy, messages: messages(for: policy), by: action) }
        } catch OperatorRefusal.notFound {
            return .notFound(.init(body: .json(Self.notFound.body)))
        }
        outbox.wake()
        return .ok(.init(body: .json(Self.view(of: policy))))
    }

    func deletePolicy(_ input: Operations.DeletePolicy.Input) async throws -> Operations.DeletePolicy.Output {
        guard let number = PolicyNumber(input.path.policyNumber) else { return .notFound(.init(body: .json(Self.notFound.body))) }
        let action = try action()
        do {
            try await storing { try await store.deletePolicy(number, by: action) }
        } catch OperatorRefusal.notFound {
            return .notFound(.init(body: .json(Self.notFound.body)))
        }
        return .noContent(.init())
    }

    /// A policy as the API shows it: every field, claims included, full phone.
    static func view(of policy: Policy) -> Components.Schemas.Policy {
        Components.Schemas.Policy(
            policyNumber: policy.displayNumber, holderName: policy.holderName, phone: policy.phone.e164, product: policy.product,
            status: policy.status, effectiveDate: policy.effectiveDate, expiryDate: policy.expiryDate, premium: policy.premium,
            currency: policy.currency, premiumFrequency: policy.premiumFrequency, nextPaymentDue: policy.nextPaymentDue,
            balanceDue: policy.balanceDue, coverage: policy.coverage, deductible: policy.deductible,
            claims: policy.claims.map {
                .init(claimNumber: $0.claimNumber, status: $0.status, filedOn: $0.filedOn, amount: $0.amount, description: $0.description)
            })
    }
}
