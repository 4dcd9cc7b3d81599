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
        case .menu, .resend, nil:
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
private struct Turn {
    let engine: ConversationEngine
    let message: IncomingMessage
    let context: MessageContext
    var state: ConversationState
    var replies: [Reply] = []
    var effects: [Effect] = []
    var sessionExpired = false

    init(engine: ConversationEngine, message: IncomingMessage, context: MessageContext, state: ConversationState) {
        self.engine = engine
        self.message = message
        self.context = context
        self.state = state
    }

    var settings: EngineSettings { engine.settings }
    var now: Date { message.receivedAt }
    var transition: Transition { Transition(state: state, replies: replies, effects: effects) }

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
        if case .verified(var session) = state, let policy = context.policies[session.policy] {
            session.lastActivity = now
            state = .verified(session)
            replies = [.menu(policy, justVerified: false, understood: true)]
        } else {
            askForPolicyNumber()
        }
    }

    /// RESEND, or the pending code's policy number texted again; `request` replaces the
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
            requestCode(for: pending.policy, request: request ?? pending.request, random: &random)
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
        if let chosen = candidates.first(where: { context.policies[$0] != nil }) ?? candidates.first {
            let request = PolicyQuestion.asked(in: message.text).first
            switch state {
            case .verified(let session) where session.policy == chosen:
                return answer(session)
            case .codePending(let pending) where pending.policy == chosen:
                // Asking again is a RESEND: the cooldown and the caps apply.
                return resend(request: request, random: &random)
            default:
                return requestCode(for: chosen, request: request, random: &random)
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
        case .awaitingPolicyNumber:
            askForPolicyNumber()
        }
    }

    private mutating func askForPolicyNumber() {
        replies = [sessionExpired ? .sessionExpired : .askPolicyNumber]
        if state == .new { state = .awaitingPolicyNumber }
    }

    private mutating func answer(_ session: VerifiedSession) {
        guard let policy = context.policies[session.policy] else {
            // The policy was removed since verification: nothing left to talk about.
            state = .awaitingPolicyNumber
            replies = [.askPolicyNumber]
            return
        }
        state = .verified(VerifiedSession(policy: session.policy, lastActivity: now))
        let questions = PolicyQuestion.asked(in: message.text)
        replies = questions.isEmpty
            ? [.menu(policy, justVerified: false, understood: false)]
            : questions.map { .answer($0, policy, justVerified: false) }
    }

    private mutating func requestCode(for policyNumber: PolicyNumber, request: PolicyQuestion?, random: inout some RandomNumberGenerator) {
        let firstContact = state == .new
        let policy = context.policies[policyNumber]
        let usage = CodeUsage(
            requestsForSubjectLastHour: context.codesRequestedLastHour[policyNumber, default: 0],
            codesToDestinationLastHour: context.codesToPhoneOnFileLastHour[policyNumber, default: 0],
            subjectsRequestedToday: Set(context.policiesRequestedToday.map(\.canonical)))
        let decision = engine.rules.codeRequested(
            for: CodeBinding(requester: message.from, policy: policyNumber), destinationKnown: policy != nil,
            lockedUntil: activeLock(on: policyNumber), usage: usage, now: now, random: &random)
        switch decision {
        case .locked(let until):
            state = .locked(policy: policyNumber, until: until)
            replies = [.locked(minutes: minutes(until: until))]
        case .capReached:
            if state == .new { state = .awaitingPolicyNumber }
            replies = [.tooManyCodes]
        case .issue(let challenge, let code):
            if let policy, let code {
                effects += [
                    .sendCode(code: code, to: policy.phone, policy: policyNumber, expiresAt: challenge.expiresAt),
                    .recordCodeIssued(policy: policyNumber, destination: policy.phone),
                    .audit(.codeSent(policyNumber)),
                ]
            } else {
                // An unknown policy, or a limit of the phone on file's: nothing is sent, and
                // the texter hears the same as for any code.
                effects += [
                    .recordCodeIssued(policy: policyNumber, destination: nil),
                    .audit(policy == nil ? .unknownPolicyRequested(policyNumber) : .codeWithheld(policyNumber)),
                ]
            }
            state = .codePending(PendingCode(policy: policyNumber, challenge: challenge, request: request))
            replies = [.codeSent(minutes: settings.verification.codeLifetimeMinutes, firstContact: firstContact)]
        }
    }

    private mutating func attempt(_ code: String, on pending: PendingCode) {
        let policy = context.policies[pending.policy]
        let earlierLockouts = context.lockouts.filter { $0.policy == pending.policy }.map(\.lockedAt)
        // A code for a policy that does not exist (any more) is never right: checked as "" it
        // costs the same HMAC and counts as a wrong attempt.
        let binding = CodeBinding(requester: message.from, policy: pending.policy)
        let decision = engine.rules.codeEntered(
            policy == nil ? "" : code, against: pending.challenge, for: binding,
            failedAttempts: context.failedAttempts[pending.policy, default: 0], earlierLockouts: earlierLockouts, now: now)
        switch decision {
        case .expired:
            replies = [.codeExpired]
        case .approved:
            guard let policy else { return }
            state = .verified(VerifiedSession(policy: pending.policy, lastActivity: now))
            effects = [.clearFailedAttempts(policy: pending.policy), .audit(.verified(pending.policy))]
            replies = [pending.request.map { .answer($0, policy, justVerified: true) } ?? .menu(policy, justVerified: true, understood: true)]
        case .wrong(let attemptsLeft):
            effects = [.recordFailedAttempt(policy: pending.policy), .audit(.codeFailed(pending.policy, attemptsLeft: attemptsLeft))]
            replies = [.wrongCode(attemptsLeft: attemptsLeft)]
        case .lockedOut(let until):
            state = .locked(policy: pending.policy, until: until)
            effects = [
                .audit(.codeFailed(pending.policy, attemptsLeft: 0)), .clearFailedAttempts(policy: pending.policy),
                .recordLockout(policy: pending.policy, until: until), .audit(.locked(pending.policy, until: until)),
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

    private func activeLock(on policy: PolicyNumber) -> Date? {
        var until = context.lockouts.filter { $0.policy == policy && $0.until > now }.map(\.until).max()
        if case .locked(policy, let stateUntil) = state, stateUntil > now {
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
}
