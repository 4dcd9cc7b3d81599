import Foundation
public import SMSBotCore

extension ConversationState {
    /// The subject `phone`'s pending code, lock or session refers to: the stores load its facts
    /// (its policy, if it is one; every policy on file for the phone, if it is the phone) with
    /// the context, and keep its key in `conversations.policy_number`. A session verified by
    /// phone is the phone's, whichever policy it chose.
    public func subject(of phone: PhoneNumber) -> CodeSubject? {
        switch self {
        case .codePending(let pending): pending.subject
        case .locked(let subject, _): subject
        case .verified(let session) where session.byPhone: .phoneOnFile(phone)
        case .verified(let session): session.policy.map(CodeSubject.policy)
        case .new, .awaitingPolicyNumber, .rememberingRequest: nil
        }
    }
}

extension AuditEvent {
    /// Extra facts for the audit row: never a code or a full number. Events of a `FORGOT` code
    /// (no policy) say `forgot`.
    public var detail: String? {
        let facts: String? =
            switch self {
            case .codeFailed(_, let attemptsLeft): "attempts_left=\(attemptsLeft)"
            case .locked(_, let until): "until=\(until.unixMilliseconds)"
            default: nil
            }
        guard case .phoneOnFile = subject else { return facts }
        return ["forgot", facts].compactMap { $0 }.joined(separator: " ")
    }
}
