/// Whom a code was issued to and what it proves: a code works only for the binding it was issued for.
public struct CodeBinding: Hashable, Sendable {
    /// Who asked: in the SMS conversation, the texter's number.
    public var requester: String
    /// What the code proves possession for: in the SMS conversation, the policy.
    public var subject: String

    /// Creates a binding.
    public init(requester: String, subject: String) {
        self.requester = requester
        self.subject = subject
    }

    /// A code a texter asked for about a subject: a policy's (its canonical number, as it
    /// always was) or their own number's (`FORGOT`).
    public init(requester: PhoneNumber, subject: CodeSubject) {
        self.init(requester: requester.e164, subject: subject.storedKey)
    }
}
