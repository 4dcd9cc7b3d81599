import Foundation
public import SMSBotCore

extension ConversationState {
    /// The policy a pending code, lock or session refers to: the stores load it with the context.
    public var policy: PolicyNumber? {
        switch self {
        case .codePending(let pending): pending.policy
        case .locked(let policy, _): policy
        case .verified(let session): session.policy
        case .new, .awaitingPolicyNumber: nil
        }
    }
}

extension AuditEvent {
    /// Extra facts for the audit row: never a code or a full number.
    public var detail: String? {
        switch self {
        case .codeFailed(_, let attemptsLeft): "attempts_left=\(attemptsLeft)"
        case .locked(_, let until): "until=\(until.unixMilliseconds)"
        default: nil
        }
    }
}
