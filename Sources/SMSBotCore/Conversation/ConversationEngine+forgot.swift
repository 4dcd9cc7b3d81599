import Foundation

/// `FORGOT` (SPEC §4 step 2b): a code to the texting number itself, and the session it opens,
/// which holds every policy on file for that number.
extension Turn {
    /// `FORGOT`: a code to this very number if it is on file; a RESEND when one is pending;
    /// the list (or menu) when the texter already holds the number's policies.
    mutating func forgot(random: inout some RandomNumberGenerator) {
        switch state {
        case .verified(let session) where session.byPhone:
            showMenu()
        case .codePending(let pending) where pending.subject == ownPhone:
            resend(random: &random)
        default:
            requestCode(for: ownPhone, request: state.rememberedRequest, random: &random)
        }
    }

    /// The right code: the session starts with the remembered request answered, the menu, or
    /// (verified by phone with several policies) the list to pick from, the request waiting
    /// for the pick.
    mutating func verified(by subject: CodeSubject, request: PolicyQuestion?) {
        let chosen: Policy?
        switch subject {
        case .policy(let number): chosen = context.policies[number]
        case .phoneOnFile: chosen = onFile.count == 1 ? onFile[0] : nil
        }
        let byPhone = subject.policy == nil
        state = .verified(
            VerifiedSession(policy: chosen?.number, byPhone: byPhone, request: chosen == nil ? request : nil, lastActivity: now))
        if let chosen {
            replies = [request.map { .answer($0, chosen, justVerified: true) } ?? .menu(chosen, justVerified: true, understood: true)]
        } else {
            replies = [.policyList(onFile, justVerified: true, understood: true)]
        }
    }

    /// A message in a session verified by phone: a letter picks from the list, naming one of
    /// the phone's policies switches to it, anything else is answered from the chosen policy
    /// (the only one, when the phone holds one) or gets the list. The texter holds the policies
    /// on file for the number now: one moved to another phone is gone from the list (and if it
    /// was the one chosen, the texter hears the list or the menu again rather than an answer).
    mutating func continuePhoneSession(_ session: VerifiedSession, understood: Bool) {
        guard !onFile.isEmpty else {
            state = .awaitingPolicyNumber
            replies = [.askPolicyNumber]
            return
        }
        let onFile = self.onFile
        let only = onFile.count == 1 ? onFile[0] : nil
        let chosen = session.policy.map { number in onFile.first { $0.number == number } }
        let named = message.mentionedPolicies.lazy.compactMap { number in onFile.first { $0.number == number } }.first
        var session = session
        session.lastActivity = now
        if case .some(nil) = chosen {
            // The policy talked about left this phone: say so rather than answer for another.
            session.policy = only?.number
            replies = [only.map { .menu($0, justVerified: false, understood: false) } ?? .policyList(onFile, justVerified: false, understood: false)]
        } else if only == nil, let index = pickedLetter(message.text) {
            let picked = onFile.indices.contains(index) ? onFile[index] : nil
            session.policy = picked?.number
            let waiting = picked == nil ? nil : session.request.take()
            replies = [
                picked.map { policy in waiting.map { .answer($0, policy, justVerified: false) } ?? .menu(policy, justVerified: false, understood: true) }
                    ?? .policyList(onFile, justVerified: false, understood: false)
            ]
        } else if let policy = only ?? named ?? chosen ?? nil {
            session.policy = policy.number
            let waiting = session.request.take()
            // Naming the policy is understood even when nothing else was asked.
            replies = answers(from: policy, justVerified: false, understood: understood || named != nil)
            if let waiting, case .menu = replies.first { replies = [.answer(waiting, policy, justVerified: false)] }
        } else {
            replies = [.policyList(onFile, justVerified: false, understood: understood)]
        }
        state = .verified(session)
    }

    /// The list position a message that is a single letter (`A`, `b`) picks.
    private func pickedLetter(_ text: String) -> Int? {
        let trimmed = text.trimming(\.isWhitespace).uppercased().utf8
        guard trimmed.count == 1, let byte = trimmed.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) else { return nil }
        return Int(byte - UInt8(ascii: "A"))
    }
}
