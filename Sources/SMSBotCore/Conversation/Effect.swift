public import Foundation

/// Something the app must do, in the same transaction as saving the new state.
public enum Effect: Equatable, Sendable {
    /// Queue the OTP SMS carrying `code` to `to`, the policy's phone on file. The code exists
    /// only here and in that SMS: state and logs keep its HMAC at most.
    case sendCode(code: String, to: PhoneNumber, policy: PolicyNumber, expiresAt: Date)
    /// Count a code this number asked for `policy` (sent to `destination`, or to nobody when
    /// none was sent) towards the caps.
    case recordCodeIssued(policy: PolicyNumber, destination: PhoneNumber?)
    /// Count a wrong code this number entered for `policy`.
    case recordFailedAttempt(policy: PolicyNumber)
    /// Forget this number's wrong codes for `policy` (verified, or locked out).
    case clearFailedAttempts(policy: PolicyNumber)
    /// Lock `policy` for this number.
    case recordLockout(policy: PolicyNumber, until: Date)
    /// Opt the number out (STOP) or back in (START).
    case setOptedOut(Bool)
    /// Write an authentication event to the audit table.
    case audit(AuditEvent)
}

/// An authentication event, kept with a masked number and never a code.
public enum AuditEvent: Equatable, Sendable {
    case codeSent(PolicyNumber)
    /// A code was "sent" for a policy that does not exist (the texter was told the usual reply).
    case unknownPolicyRequested(PolicyNumber)
    /// A code for an existing policy was held back by a limit of its phone on file's (its
    /// hourly cap, or this texter's daily spread over policies); the texter was told the usual reply.
    case codeWithheld(PolicyNumber)
    case verified(PolicyNumber)
    case codeFailed(PolicyNumber, attemptsLeft: Int)
    case locked(PolicyNumber, until: Date)
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

    /// The policy the event concerns, if any.
    public var policy: PolicyNumber? {
        switch self {
        case .codeSent(let policy), .unknownPolicyRequested(let policy), .codeWithheld(let policy), .verified(let policy),
            .codeFailed(let policy, _), .locked(let policy, _):
            policy
        case .optedOut, .optedIn, .loggedOut:
            nil
        }
    }
}
