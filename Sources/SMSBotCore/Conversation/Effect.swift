public import Foundation

/// Something the app must do, in the same transaction as saving the new state.
public enum Effect: Equatable, Sendable {
    /// Queue the OTP SMS carrying `code` to `to`, the subject's phone on file. The code exists
    /// only here and in that SMS: state and logs keep its HMAC at most.
    case sendCode(code: String, to: PhoneNumber, subject: CodeSubject, expiresAt: Date)
    /// Count a code this number asked for `subject` (sent to `destination`, or to nobody when
    /// none was sent) towards the caps.
    case recordCodeIssued(subject: CodeSubject, destination: PhoneNumber?)
    /// Count a wrong code this number entered for `subject`.
    case recordFailedAttempt(subject: CodeSubject)
    /// Forget this number's wrong codes for `subject` (verified, or locked out).
    case clearFailedAttempts(subject: CodeSubject)
    /// Lock `subject` for this number.
    case recordLockout(subject: CodeSubject, until: Date)
    /// Opt the number out (STOP) or back in (START).
    case setOptedOut(Bool)
    /// Write an authentication event to the audit table.
    case audit(AuditEvent)
}

/// An authentication event, kept with a masked number and never a code.
public enum AuditEvent: Equatable, Sendable {
    case codeSent(CodeSubject)
    /// A code was "sent" for a policy that does not exist, or by `FORGOT` from a number on file
    /// for no policy (the texter was told the usual reply).
    case unknownPolicyRequested(CodeSubject)
    /// A code for an existing subject was held back by a limit of its phone on file's (its
    /// hourly cap, or this texter's daily spread over subjects); the texter was told the usual reply.
    case codeWithheld(CodeSubject)
    case verified(CodeSubject)
    case codeFailed(CodeSubject, attemptsLeft: Int)
    case locked(CodeSubject, until: Date)
    case optedOut
    case optedIn
    case loggedOut

    /// The event's name in the audit table.
    public var name: String {
        switch self {
        case .codeSent: "code_sent"
        case .unknownPolicyRequested: "unknown_policy_requested"
        case .codeWithheld: "code_withheld"
        case .verified: "verified"
        case .codeFailed: "code_failed"
        case .locked: "locked"
        case .optedOut: "opted_out"
        case .optedIn: "opted_in"
        case .loggedOut: "logged_out"
        }
    }

    /// The subject the event concerns, if any.
    public var subject: CodeSubject? {
        switch self {
        case .codeSent(let subject), .unknownPolicyRequested(let subject), .codeWithheld(let subject), .verified(let subject),
            .codeFailed(let subject, _), .locked(let subject, _):
            subject
        case .optedOut, .optedIn, .loggedOut:
            nil
        }
    }
}
