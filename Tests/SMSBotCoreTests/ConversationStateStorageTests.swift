import Foundation
import SMSBotCore
import Testing

@Suite struct ConversationStateStorageTests {
    private static let policy = PolicyNumber("AUTO-1001")!
    private static let issued = Date(timeIntervalSinceReferenceDate: 812_345_678.123_456_7)

    static let states: [ConversationState] = [
        .new,
        .awaitingPolicyNumber,
        .codePending(
            PendingCode(
                subject: .policy(policy), codeHash: Data((0..<32).map { UInt8($0 * 7 % 256) }), issuedAt: issued,
                expiresAt: issued + 300, request: .claims)),
        .codePending(PendingCode(subject: .policy(policy), codeHash: Data(), issuedAt: issued, expiresAt: issued + 1, request: nil)),
        .locked(subject: .policy(policy), until: issued + 900.5),
        .verified(VerifiedSession(policy: PolicyNumber("HOME2002")!, lastActivity: issued)),
        .rememberingRequest(.premium),
        .codePending(
            PendingCode(
                subject: .phoneOnFile(PhoneNumber(e164: "+15551230001")!), codeHash: Data(repeating: 9, count: 32), issuedAt: issued,
                expiresAt: issued + 300, request: .status)),
        .locked(subject: .phoneOnFile(PhoneNumber(e164: "+15551230001")!), until: issued + 60),
        .verified(VerifiedSession(policy: nil, byPhone: true, lastActivity: issued)),
        .verified(VerifiedSession(policy: PolicyNumber("HOME2002")!, byPhone: true, lastActivity: issued)),
        .verified(VerifiedSession(policy: nil, byPhone: true, request: .coverage, lastActivity: issued)),
    ]

    @Test(arguments: states)
    func everyStateReadsBackExactly(state: ConversationState) {
        let stored = state.storedForm
        #expect(stored.first == 2)
        #expect(ConversationState(storedForm: stored) == state)
    }

    /// Format 1 kept a pending code's wrong attempts (now counted outside the state): its rows
    /// are still read, the count dropped.
    @Test func aPendingCodeOfFormatOneIsStillRead() throws {
        let state = Self.states[2]
        guard case .codePending(let pending) = state else { throw Unexpected() }
        var bytes = [UInt8](state.storedForm)
        bytes[0] = 1
        let requestField = 2 + (pending.request?.rawValue.utf8.count ?? 0)
        bytes.insert(contentsOf: [2, 0, 0, 0, 0, 0, 0, 0], at: bytes.count - requestField)
        #expect(ConversationState(storedForm: Data(bytes)) == state)
        bytes.removeLast()
        #expect(ConversationState(storedForm: Data(bytes)) == nil)
    }

    struct Unexpected: Error {}

    /// What versions before the binary form stored: Swift's synthesized JSON of the states.
    static let earlierJSON: [(json: String, state: ConversationState)] = [
        (#"{"new":{}}"#, .new),
        (#"{"awaitingPolicyNumber":{}}"#, .awaitingPolicyNumber),
        (
            #"{"codePending":{"_0":{"policy":{"canonical":"AUTO1001"},"codeHash":"AAEC","issuedAt":812345678.5,"expiresAt":812345978.5,"request":"claims"}}}"#,
            .codePending(
                PendingCode(
                    subject: .policy(policy), codeHash: Data([0, 1, 2]), issuedAt: Date(timeIntervalSinceReferenceDate: 812_345_678.5),
                    expiresAt: Date(timeIntervalSinceReferenceDate: 812_345_978.5), request: .claims))
        ),
        (
            #"{"locked":{"policy":{"canonical":"AUTO1001"},"until":812345678.5}}"#,
            .locked(subject: .policy(policy), until: Date(timeIntervalSinceReferenceDate: 812_345_678.5))
        ),
        (
            #"{"verified":{"_0":{"policy":{"canonical":"HOME2002"},"lastActivity":812345678.5}}}"#,
            .verified(VerifiedSession(policy: PolicyNumber("HOME2002")!, lastActivity: Date(timeIntervalSinceReferenceDate: 812_345_678.5)))
        ),
    ]

    @Test func theJSONOfEarlierVersionsIsStillRead() {
        for (json, state) in Self.earlierJSON {
            #expect(ConversationState(storedForm: Data(json.utf8)) == state, "\(json)")
        }
    }

    @Test(arguments: states.dropFirst(2))
    func truncatedOrExtendedBytesAreRefused(state: ConversationState) {
        let stored = state.storedForm
        for length in 0..<stored.count {
            #expect(ConversationState(storedForm: stored.prefix(length)) == nil, "cut to \(length) bytes")
        }
        #expect(ConversationState(storedForm: stored + [0]) == nil)
    }

    @Test func unknownFormatsCasesAndFieldsAreRefused() {
        #expect(ConversationState(storedForm: Data([3, 0])) == nil)  // a later format
        #expect(ConversationState(storedForm: Data([2, 9])) == nil)  // an unknown case
        #expect(ConversationState(storedForm: Data([1, 9])) == nil)
        #expect(ConversationState(storedForm: Data("{not json".utf8)) == nil)
        var lowercasePolicy = ConversationState.locked(subject: .policy(Self.policy), until: Self.issued).storedForm
        lowercasePolicy[4] = UInt8(ascii: "a")  // format, case, two length bytes, then "AUTO1001"
        #expect(ConversationState(storedForm: lowercasePolicy) == nil)
    }
}
