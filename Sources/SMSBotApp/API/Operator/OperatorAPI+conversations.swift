import Foundation
import HTTPTypes
import SMSBotAPI
import SMSBotCore
import SMSBotStorage

extension OperatorAPI {
    func getConversation(_ input: Operations.GetConversation.Input) async throws -> Operations.GetConversation.Output {
        let phone: PhoneNumber
        switch Self.phone(input.path.phone, field: "phone") {
        case .success(let parsed): phone = parsed
        case .failure(let error): return .badRequest(.init(body: .json(error.body)))
        }
        let time = now()
        guard let summary = try await storing({ try await store.conversation(of: phone, at: time) }) else {
            return .notFound(.init(body: .json(Self.notFound.body)))
        }
        var verified: String?
        var pending: String?
        switch summary.state {
        case .verified(let session) where time.timeIntervalSince(session.lastActivity) < sessionIdleTimeout:
            verified = session.policy.canonical
        case .codePending(let code) where code.expiresAt > time:
            pending = code.policy.canonical
        default:
            break
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        phone: phone.e164, optedOut: summary.optedOut, verifiedPolicy: verified, pendingPolicy: pending,
                        locks: summary.locks.map { .init(policyNumber: $0.policy, until: $0.until) }, lastMessageAt: summary.lastMessageAt))))
    }

    func logOutConversation(_ input: Operations.LogOutConversation.Input) async throws -> Operations.LogOutConversation.Output {
        let phone: PhoneNumber
        switch Self.phone(input.path.phone, field: "phone") {
        case .success(let parsed): phone = parsed
        case .failure(let error): return .badRequest(.init(body: .json(error.body)))
        }
        let action = try action()
        do {
            try await storing { try await store.logOut(phone, by: action) }
        } catch OperatorRefusal.notFound {
            return .notFound(.init(body: .json(Self.notFound.body)))
        }
        return .noContent(.init())
    }

    func unlockConversation(_ input: Operations.UnlockConversation.Input) async throws -> Operations.UnlockConversation.Output {
        let phone: PhoneNumber
        switch Self.phone(input.path.phone, field: "phone") {
        case .success(let parsed): phone = parsed
        case .failure(let error): return .badRequest(.init(body: .json(error.body)))
        }
        let action = try action()
        do {
            try await storing { try await store.unlock(phone, by: action) }
        } catch OperatorRefusal.notFound {
            return .notFound(.init(body: .json(Self.notFound.body)))
        }
        return .noContent(.init())
    }
}
