public import Foundation

/// The conversation of SPEC §4 as a pure state machine: state, message, context and a random
/// source in; new state, replies and effects out. No I/O, no clock, no randomness of its own.
///
/// A policy number that does not exist is handled exactly like one that does, down to a
/// pending "code" (random bytes no code can match), wrong-code counts and lockouts, so the
/// replies never tell whether a policy exists.
public struct ConversationEngine: Sendable {
    public let settings: EngineSettings
    public let hasher: CodeHasher

    /// Creates an engine applying `settings`, hashing codes with `hasher`.
    public init(settings: EngineSettings, hasher: CodeHasher) {
        self.settings = settings
        self.hasher = hasher
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

    mutating func resend(random: inout some RandomNumberGenerator) {
        guard case .codePending(let pending) = state else {
            replies = [.noCodePending]
            return
        }
        let readyAt = pending.issuedAt.addingTimeInterval(settings.resendCooldown)
        guard now >= readyAt else {
            replies = [.resendCooldown(seconds: Int(readyAt.timeIntervalSince(now).rounded(.up)))]
            return
        }
        requestCode(for: pending.policy, request: pending.request, random: &random)
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
            if case .verified(let session) = state, session.policy == chosen {
                return answer(session)
            }
            return requestCode(for: chosen, request: PolicyQuestion.asked(in: message.text).first, random: &random)
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
        if let until = activeLock(on: policyNumber) {
            state = .locked(policy: policyNumber, until: until)
            replies = [.locked(minutes: minutes(until: until))]
            return
        }
        guard context.codesIssuedLastHour[policyNumber, default: 0] < settings.maxCodesPerHour else {
            if state == .new { state = .awaitingPolicyNumber }
            replies = [.tooManyCodes]
            return
        }
        let code = String((0..<settings.codeLength).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
        let expiresAt = now.addingTimeInterval(settings.codeLifetime)
        let hash: Data
        if let policy = context.policies[policyNumber] {
            hash = engine.hasher.hash(code, requester: message.from, policy: policyNumber)
            effects += [
                .sendCode(code: code, to: policy.phone, policy: policyNumber, expiresAt: expiresAt),
                .recordCodeIssued(policy: policyNumber, destination: policy.phone),
                .audit(.codeSent(policyNumber)),
            ]
        } else {
            hash = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) })
            effects += [.recordCodeIssued(policy: policyNumber, destination: nil), .audit(.unknownPolicyRequested(policyNumber))]
        }
        state = .codePending(
            PendingCode(policy: policyNumber, codeHash: hash, issuedAt: now, expiresAt: expiresAt, attempts: 0, request: request))
        replies = [
            .codeSent(minutes: Int((settings.codeLifetime / 60).rounded(.up)), firstContact: firstContact)
        ]
    }

    private mutating func attempt(_ code: String, on pending: PendingCode) {
        guard now < pending.expiresAt else {
            replies = [.codeExpired]
            return
        }
        if let policy = context.policies[pending.policy],
            engine.hasher.matches(code, hash: pending.codeHash, requester: message.from, policy: pending.policy)
        {
            state = .verified(VerifiedSession(policy: pending.policy, lastActivity: now))
            effects = [.audit(.verified(pending.policy))]
            replies = [
                pending.request.map { .answer($0, policy, justVerified: true) }
                    ?? .menu(policy, justVerified: true, understood: true)
            ]
            return
        }
        var pending = pending
        pending.attempts += 1
        let attemptsLeft = settings.maxAttempts - pending.attempts
        effects = [.audit(.codeFailed(pending.policy, attemptsLeft: max(attemptsLeft, 0)))]
        guard attemptsLeft <= 0 else {
            state = .codePending(pending)
            replies = [.wrongCode(attemptsLeft: attemptsLeft)]
            return
        }
        let earlier = context.lockouts.filter {
            $0.policy == pending.policy && now.timeIntervalSince($0.lockedAt) < 24 * 3600
        }.count
        let duration = earlier + 1 >= settings.lockoutsBeforeEscalation ? settings.escalatedLockoutDuration : settings.lockoutDuration
        let until = now.addingTimeInterval(duration)
        state = .locked(policy: pending.policy, until: until)
        effects += [.recordLockout(policy: pending.policy, until: until), .audit(.locked(pending.policy, until: until))]
        replies = [.locked(minutes: minutes(until: until))]
    }

    /// The code in `text` when it is exactly `codeLength` digits, spaces allowed between them.
    private func codeAttempt(_ text: String) -> String? {
        let compact = text.filter { !$0.isWhitespace }
        guard compact.count == settings.codeLength, compact.allSatisfy({ $0.isASCII && $0.isNumber }),
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
