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
        return .ok(
            .init(
                body: .json(
                    .init(
                        phone: phone.e164, optedOut: summary.optedOut,
                        verifiedPolicy: summary.verifiedPolicy(at: time, idleTimeout: sessionIdleTimeout)?.canonical,
                        verifiedByPhone: summary.verifiedSession(at: time, idleTimeout: sessionIdleTimeout)?.byPhone,
                        pendingPolicy: summary.pendingPolicy(at: time)?.canonical,
                        forgotCodePending: summary.forgotCodePending(at: time) ? true : nil,
                        locks: summary.locks.map { .init(policyNumber: $0.policy, until: $0.until) }, lastMessageAt: summary.lastMessageAt))))
    }

    func logOutConversation(_ input: Operations.LogOutConversation.Input) async throws -> Operations.LogOutConversation.Output {
        switch try await change(phone: input.path.phone, { try await store.logOut($0, by: $1) }) {
        case .success: .noContent(.init())
        case .failure(let error) where error.status == .notFound: .notFound(.init(body: .json(error.body)))
        case .failure(let error): .badRequest(.init(body: .json(error.body)))
        }
    }

    func unlockConversation(_ input: Operations.UnlockConversation.Input) async throws -> Operations.UnlockConversation.Output {
        switch try await change(phone: input.path.phone, { try await store.unlock($0, by: $1) }) {
        case .success: .noContent(.init())
        case .failure(let error) where error.status == .notFound: .notFound(.init(body: .json(error.body)))
        case .failure(let error): .badRequest(.init(body: .json(error.body)))
        }
    }

    /// Runs an operator's change to the conversation of the phone in the path: `400` for a
    /// phone that is not one, `404` when nothing is known of it.
    private func change(
        phone text: String, _ change: (PhoneNumber, OperatorAction) async throws -> Void
    ) async throws -> Result<Void, APIError> {
        let phone: PhoneNumber
        switch Self.phone(text, field: "phone") {
        case .success(let parsed): phone = parsed
        case .failure(let error): return .failure(error)
        }
        let action = try action()
        do {
            try await storing { try await change(phone, action) }
        } catch OperatorRefusal.notFound {
            return .failure(Self.notFound)
        }
        return .success(())
    }
}
