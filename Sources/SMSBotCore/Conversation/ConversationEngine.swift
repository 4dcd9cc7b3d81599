import Foundation

/// The conversation of SPEC §4 as a pure state machine: state, message, context and a random
/// source in; new state, replies and effects out. No I/O, no clock, no randomness of its own.
///
/// The OTP rules themselves are ``VerificationRules``'; this engine turns their decisions into
/// replies, states and effects. A policy number that does not exist is handled exactly like
/// one that does, so the replies never tell whether a policy exists.
public struct ConversationEngine: Sendable {
    public let settings: EngineSettings
    public let rules: VerificationRules

    /// Creates an engine applying `settings`, hashing codes with `hasher`.
    public init(settings: EngineSettings, hasher: CodeHasher) {
        self.settings = settings
        self.rules = VerificationRules(settings: settings.verification, hasher: hasher)
    }

    /// Handles one inbound message.
    public func messageReceived(
        _ message: IncomingMessage,
        state: ConversationState,
        context: MessageContext,
        random: inout some RandomNumberGenerator
    ) -> Transition {
        let keyword = Keyword(message.text)
        if context.isOptedOut {
            switch keyword {
            case .start:
                return Transition(state: .awaitingPolicyNumber, replies: [.greeting], effects: [.setOptedOut(false), .audit(.optedIn)])
            case .help:
                return Transition(state: state, replies: [.help])
            default:
                return Transition(state: state)
            }
        }
        let greeted = state == .new ? .awaitingPolicyNumber : state
        switch keyword {
        case .stop:
            return Transition(state: .new, effects: [.setOptedOut(true), .audit(.optedOut)])
        case .help:
            return Transition(state: greeted, replies: [.help])
        case .start:
            return Transition(state: greeted, replies: [.greeting])
        case .logout:
            return Transition(state: .new, replies: [.loggedOut], effects: [.audit(.loggedOut)])
        case .menu, .resend, .forgot, nil:
            break
        }
        if message.mediaCount > 0 {
            return Transition(state: greeted, replies: [.mediaNotSupported])
        }

        var turn = Turn(engine: self, message: message, context: context, state: state)
        turn.expireStaleState()
        let pendingBefore = turn.state.isCodePending
        switch keyword {
        case .menu: turn.showMenu()
        case .resend: turn.resend(random: &random)
        case .forgot: turn.forgot(random: &random)
        default: turn.interpret(random: &random)
        }
        var transition = turn.transition
        if context.codeDeliveryFailed, pendingBefore, keyword != .resend, transition.state.isCodePending {
            transition.replies.insert(.codeNotDelivered, at: 0)
        }
        return transition
    }
}

/// The handling of one message that is not a keyword handled up front.
struct Turn {
    let engine: ConversationEngine
    let message: IncomingMessage
    let context: MessageContext
    var state: ConversationState
    var replies: [Reply] = []
    var effects: [Effect] = []
    var sessionExpired = false
    /// The policies on file for the texting number, in letter order.
    let onFile: [Policy]

    init(engine: ConversationEngine, message: IncomingMessage, context: MessageContext, state: ConversationState) {
        self.engine = engine
        self.message = message
        self.context = context
        self.state = state
        self.onFile = context.policiesOnFile(for: message.from)
    }

    var settings: EngineSettings { engine.settings }
    var now: Date { message.receivedAt }
    var transition: Transition { Transition(state: state, replies: replies, effects: effects) }
    /// The subject of a `FORGOT` code: this very number.
    var ownPhone: CodeSubject { .phoneOnFile(message.from) }

    /// Ends an idle session and a lock that has run out.
    mutating func expireStaleState() {
        switch state {
        case .verified(let session) where now.timeIntervalSince(session.lastActivity) > settings.sessionIdleTimeout:
            state = .awaitingPolicyNumber
            sessionExpired = true
        case .locked(_, let until) where now >= until:
            state = .awaitingPolicyNumber
        default:
            break
        }
    }

    mutating func showMenu() {
        guard case .verified(var session) = state else { return askForPolicyNumber() }
        if session.byPhone {
            // MENU shows the list again: the next message picks.
            if onFile.count > 1 { session.policy = nil }
            return continuePhoneSession(session, understood: true)
        }
        guard let number = session.policy, let policy = context.policies[number] else { return askForPolicyNumber() }
        session.lastActivity = now
        state = .verified(session)
        replies = [.menu(policy, justVerified: false, understood: true)]
    }

    /// RESEND, or the pending code's subject asked for again; `request` replaces the
    /// remembered one when the message asked for something.
    mutating func resend(request: PolicyQuestion? = nil, random: inout some RandomNumberGenerator) {
        guard case .codePending(let pending) = state else {
            replies = [.noCodePending]
            return
        }
        switch engine.rules.resendRequested(of: pending.challenge, now: now) {
        case .cooldown(let seconds):
            replies = [.resendCooldown(seconds: seconds)]
        case .allowed:
            requestCode(for: pending.subject, request: request ?? pending.request, random: &random)
        }
    }

    mutating func interpret(random: inout some RandomNumberGenerator) {
        if let code = codeAttempt(message.text) {
            switch state {
            case .codePending(let pending):
                return attempt(code, on: pending)
            case .locked(_, let until):
                replies = [.locked(minutes: minutes(until: until))]
                return
            default:
                break
            }
        }
        let candidates = message.mentionedPolicies
        if case .verified(let session) = state, session.byPhone,
            candidates.isEmpty || candidates.contains(where: { number in onFile.contains { $0.number == number } })
        {
            return continuePhoneSession(session, understood: false)
        }
        if let chosen = candidates.first(where: { context.policies[$0] != nil }) ?? candidates.first {
            let request = PolicyQuestion.asked(in: message.text).first ?? state.rememberedRequest
            switch state {
            case .verified(let session) where session.policy == chosen && !session.byPhone:
                return answer(session, understood: true)
            case .codePending(let pending) where pending.subject == .policy(chosen):
                // Asking again is a RESEND: the cooldown and the caps apply.
                return resend(request: request, random: &random)
            default:
                return requestCode(for: .policy(chosen), request: request, random: &random)
            }
        }
        switch state {
        case .verified(let session):
            answer(session)
        case .codePending:
            replies = [.codeReminder]
        case .locked(_, let until):
            replies = [.locked(minutes: minutes(until: until))]
        case .new:
            state = .awaitingPolicyNumber
            replies = [.greeting]
            rememberRequest()
        case .awaitingPolicyNumber, .rememberingRequest:
            askForPolicyNumber()
            rememberRequest()
        }
    }

    /// A question asked before verification is kept, to answer once verified.
    private mutating func rememberRequest() {
        if let request = PolicyQuestion.asked(in: message.text).first { state = .rememberingRequest(request) }
    }

    private mutating func askForPolicyNumber() {
        replies = [sessionExpired ? .sessionExpired : .askPolicyNumber]
        if state == .new { state = .awaitingPolicyNumber }
    }

    private mutating func answer(_ session: VerifiedSession, understood: Bool = false) {
        guard let number = session.policy, let policy = context.policies[number] else {
            // The policy was removed since verification: nothing left to talk about.
            state = .awaitingPolicyNumber
            replies = [.askPolicyNumber]
            return
        }
        state = .verified(VerifiedSession(policy: number, lastActivity: now))
        replies = answers(from: policy, justVerified: false, understood: understood)
    }

    /// The answers to what the message asked, or the menu when it asked nothing.
    func answers(from policy: Policy, justVerified: Bool, understood: Bool) -> [Reply] {
        let questions = PolicyQuestion.asked(in: message.text)
        return questions.isEmpty
            ? [.menu(policy, justVerified: justVerified, understood: understood)]
            : questions.map { .answer($0, policy, justVerified: justVerified) }
    }

    mutating func requestCode(for subject: CodeSubject, request: PolicyQuestion?, random: inout some RandomNumberGenerator) {
        let firstContact = state == .new
        // Where the code goes: the policy's phone on file, or for FORGOT this very number when
        // it is on file for a policy. Nowhere else, ever.
        let destination: PhoneNumber? =
            switch subject {
            case .policy(let number): context.policies[number]?.phone
            case .phoneOnFile(let phone): phone == message.from && !onFile.isEmpty ? phone : nil
            }
        let usage = CodeUsage(
            requestsForSubjectLastHour: context.codesRequestedLastHour[subject, default: 0],
            codesToDestinationLastHour: context.codesToDestinationLastHour[subject, default: 0],
            subjectsRequestedToday: Set(context.subjectsRequestedToday.map(\.storedKey)))
        let decision = engine.rules.codeRequested(
            for: CodeBinding(requester: message.from, subject: subject), destinationKnown: destination != nil,
            lockedUntil: activeLock(on: subject), usage: usage, now: now, random: &random)
        switch decision {
        case .locked(let until):
            state = .locked(subject: subject, until: until)
            replies = [.locked(minutes: minutes(until: until))]
        case .capReached:
            if state == .new { state = .awaitingPolicyNumber }
            replies = [.tooManyCodes]
        case .issue(let challenge, let code):
            if let destination, let code {
                effects += [
                    .sendCode(code: code, to: destination, subject: subject, expiresAt: challenge.expiresAt),
                    .recordCodeIssued(subject: subject, destination: destination),
                    .audit(.codeSent(subject)),
                ]
            } else {
                // Nothing on file, or a limit of the phone on file's: nothing is sent, and the
                // texter hears the same as for any code.
                effects += [
                    .recordCodeIssued(subject: subject, destination: nil),
                    .audit(destination == nil ? .unknownPolicyRequested(subject) : .codeWithheld(subject)),
                ]
            }
            state = .codePending(PendingCode(subject: subject, challenge: challenge, request: request))
            let minutes = settings.verification.codeLifetimeMinutes
            replies = [
                subject.policy == nil
                    ? .forgotCodeSent(minutes: minutes, firstContact: firstContact) : .codeSent(minutes: minutes, firstContact: firstContact)
            ]
        }
    }

    private mutating func attempt(_ code: String, on pending: PendingCode) {
        let subject = pending.subject
        let known =
            switch subject {
            case .policy(let number): context.policies[number] != nil
            case .phoneOnFile: !onFile.isEmpty
            }
        let earlierLockouts = context.lockouts.filter { $0.subject == subject }.map(\.lockedAt)
        // A code for a subject that does not exist (any more) is never right: checked as "" it
        // costs the same HMAC and counts as a wrong attempt.
        let decision = engine.rules.codeEntered(
            known ? code : "", against: pending.challenge, for: CodeBinding(requester: message.from, subject: subject),
            failedAttempts: context.failedAttempts[subject, default: 0], earlierLockouts: earlierLockouts, now: now)
        switch decision {
        case .expired:
            replies = [.codeExpired]
        case .approved:
            effects = [.clearFailedAttempts(subject: subject), .audit(.verified(subject))]
            verified(by: subject, request: pending.request)
        case .wrong(let attemptsLeft):
            effects = [.recordFailedAttempt(subject: subject), .audit(.codeFailed(subject, attemptsLeft: attemptsLeft))]
            replies = [.wrongCode(attemptsLeft: attemptsLeft)]
        case .lockedOut(let until):
            state = .locked(subject: subject, until: until)
            effects = [
                .audit(.codeFailed(subject, attemptsLeft: 0)), .clearFailedAttempts(subject: subject),
                .recordLockout(subject: subject, until: until), .audit(.locked(subject, until: until)),
            ]
            replies = [.locked(minutes: minutes(until: until))]
        }
    }

    /// The code in `text` when it is exactly `codeLength` digits, spaces allowed between them.
    private func codeAttempt(_ text: String) -> String? {
        let compact = text.filter { !$0.isWhitespace }
        guard compact.count == settings.verification.codeLength, compact.allSatisfy({ $0.isASCII && $0.isNumber }),
            text.allSatisfy({ $0.isWhitespace || ($0.isASCII && $0.isNumber) })
        else { return nil }
        return String(compact)
    }

    private func activeLock(on subject: CodeSubject) -> Date? {
        var until = context.lockouts.filter { $0.subject == subject && $0.until > now }.map(\.until).max()
        if case .locked(subject, let stateUntil) = state, stateUntil > now {
            until = max(until ?? stateUntil, stateUntil)
        }
        return until
    }

    private func minutes(until: Date) -> Int {
        max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
    }
}

extension ConversationState {
    var isCodePending: Bool {
        if case .codePending = self { return true }
        return false
    }

    /// What the customer asked for before being verified, to answer once they are.
    var rememberedRequest: PolicyQuestion? {
        switch self {
        case .rememberingRequest(let request): request
        case .codePending(let pending): pending.request
        default: nil
        }
    }
}
