import Foundation
import SMSBotCore

/// A seeded, repeatable random source (SplitMix64), so codes in tests are predictable.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Fixtures {
    static let customer = PhoneNumber(e164: "+15551230001")!
    static let stranger = PhoneNumber(e164: "+15559990000")!
    static let auto = PolicyNumber("AUTO-1001")!
    static let home = PolicyNumber("HOME-2002")!
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func policy(_ number: PolicyNumber, phone: PhoneNumber = customer) -> Policy {
        Policy(
            number: number, displayNumber: number.canonical, holderName: "Dana Reyes", phone: phone, product: "Auto",
            status: "active", effectiveDate: "2026-01-01", expiryDate: "2027-01-01", premium: "128.40", currency: "USD",
            premiumFrequency: "monthly", nextPaymentDue: "2026-12-01", balanceDue: "0.00",
            coverage: "Liability 100/300/100; collision", deductible: "500.00",
            claims: [Claim(claimNumber: "CLM-77", status: "open", filedOn: "2026-10-02", amount: "2300.00", description: "Rear bumper")])
    }
}

/// Drives the engine like the app does: keeps the state, the durable facts (opt-out, lockouts,
/// codes issued) and a clock, and applies each transition's effects to them.
struct Conversation {
    var engine = ConversationEngine(settings: EngineSettings(), hasher: CodeHasher(key: Data(repeating: 7, count: 32)))
    var phone = Fixtures.customer
    var state = ConversationState.new
    var now = Fixtures.start
    var policies: [PolicyNumber: Policy] = [Fixtures.auto: Fixtures.policy(Fixtures.auto)]
    var optedOut = false
    var lockouts: [Lockout] = []
    /// Codes this number asked for, and where they went (nowhere when held back or unknown).
    var issued: [(subject: CodeSubject, destination: PhoneNumber?, at: Date)] = []
    /// Codes other numbers had sent to a phone, as the store would count them.
    var sentByOthers: [(destination: PhoneNumber, at: Date)] = []
    /// Wrong codes per subject since the last success or lockout.
    var failures: [CodeSubject: Int] = [:]
    var random = SeededRandom(seed: 42)
    /// Codes "delivered" to each phone, newest last.
    var inbox: [PhoneNumber: [String]] = [:]
    var audit: [AuditEvent] = []

    var lastCode: String? { inbox[Fixtures.customer]?.last }

    /// The code `phone` received last.
    func lastCode(of phone: PhoneNumber) -> String? { inbox[phone]?.last }

    @discardableResult
    mutating func send(_ text: String, media: Int = 0) -> Transition {
        let lastHour = issued.filter { now.timeIntervalSince($0.at) < 3600 }
        let sentLastHour = lastHour.compactMap { entry in entry.destination.map { ($0, entry.at) } }
            + sentByOthers.filter { now.timeIntervalSince($0.at) < 3600 }.map { ($0.destination, $0.at) }
        let context = MessageContext(
            isOptedOut: optedOut, policies: policies,
            lockouts: lockouts.filter { now.timeIntervalSince($0.lockedAt) < 24 * 3600 },
            failedAttempts: failures,
            codesRequestedLastHour: Dictionary(grouping: lastHour, by: \.subject).mapValues(\.count),
            codesToDestinationLastHour: Dictionary(
                uniqueKeysWithValues: policies.values.map { policy in (CodeSubject.policy(policy.number), policy.phone) } + [(.phoneOnFile(phone), phone)]
            ).mapValues { destination in sentLastHour.filter { $0.0 == destination }.count },
            subjectsRequestedToday: Set(issued.filter { now.timeIntervalSince($0.at) < 24 * 3600 }.map(\.subject)))
        let transition = engine.messageReceived(
            IncomingMessage(from: phone, text: text, mediaCount: media, receivedAt: now), state: state, context: context, random: &random)
        state = transition.state
        for effect in transition.effects {
            switch effect {
            case .sendCode(let code, let to, _, _): inbox[to, default: []].append(code)
            case .recordCodeIssued(let subject, let destination): issued.append((subject, destination, now))
            case .recordFailedAttempt(let subject): failures[subject, default: 0] += 1
            case .clearFailedAttempts(let subject): failures[subject] = nil
            case .recordLockout(let subject, let until): lockouts.append(Lockout(subject: subject, lockedAt: now, until: until))
            case .setOptedOut(let value): optedOut = value
            case .audit(let event): audit.append(event)
            }
        }
        return transition
    }

    mutating func wait(_ seconds: TimeInterval) { now += seconds }

    var isVerified: Bool {
        if case .verified = state { return true }
        return false
    }
}
