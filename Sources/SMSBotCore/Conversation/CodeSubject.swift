/// What a texter's code proves possession of: the phone on file for one policy (its number
/// was texted), or the texting number itself as the phone on file of every policy that names
/// it (`FORGOT`, SPEC §4 step 2b).
///
/// Failures, lockouts and caps are counted per (texter, subject); a `FORGOT` code is one
/// subject however many policies the phone holds.
public enum CodeSubject: Hashable, Sendable, CustomStringConvertible {
    case policy(PolicyNumber)
    /// The texter's own number, as the phone on file: every policy on file for it.
    case phoneOnFile(PhoneNumber)

    /// The key in storage (the `policy_number` columns): a policy's canonical number, or
    /// `phone:+15551230001`, which no policy number can be (they are letters and digits only).
    public var storedKey: String {
        switch self {
        case .policy(let number): number.canonical
        case .phoneOnFile(let phone): Self.phonePrefix + phone.e164
        }
    }

    /// Reads a ``storedKey``; `nil` for anything else.
    public init?(storedKey: String) {
        if storedKey.hasPrefix(Self.phonePrefix) {
            guard let phone = PhoneNumber(e164: String(storedKey.dropFirst(Self.phonePrefix.count))) else { return nil }
            self = .phoneOnFile(phone)
        } else {
            guard let number = PolicyNumber(storedKey), number.canonical == storedKey else { return nil }
            self = .policy(number)
        }
    }

    /// The policy, when the subject is one.
    public var policy: PolicyNumber? {
        if case .policy(let number) = self { return number }
        return nil
    }

    /// The stored key with the phone masked, for logs and the audit table.
    public var description: String {
        switch self {
        case .policy(let number): number.canonical
        case .phoneOnFile(let phone): Self.phonePrefix + phone.masked
        }
    }

    private static let phonePrefix = "phone:"
}
