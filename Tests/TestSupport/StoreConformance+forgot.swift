import Foundation
import SMSBotCore
import SMSBotStorage
import Testing

/// `FORGOT` in the stores: the number itself as a code subject, counted like a policy, and the
/// policies on file for it read exactly when the message or the state is about it.
extension StoreConformance {
    static let forgotChecks: [Check] = [
        Check(name: "everyPolicyOnFileIsReadWhenTheMessageOrTheStateIsAboutTheNumber") { store, _ in
            var boat = TestPolicies.auto
            boat.number = PolicyNumber("BOAT-3003")!
            boat.displayNumber = "BOAT-3003"
            try await store.upsertPolicies([TestPolicies.auto, TestPolicies.home, boat], at: now)
            let own = CodeSubject.phoneOnFile(phone)
            /// The policies the context of `text` holds, after which the state becomes `next`.
            func policiesRead(_ text: String, sid: String, subjects: [CodeSubject], next: ConversationState) async throws -> [String] {
                try await store.processInbound(messageSID: MessageSID(sid)!, message: message(text, at: now), subjects: subjects) {
                    _, context in InboundDecision(state: next, replies: context.policies.keys.map(\.canonical).sorted())
                }.replies
            }
            let session = ConversationState.verified(VerifiedSession(policy: nil, byPhone: true, lastActivity: now))
            #expect(try await policiesRead("hi", sid: "SM1", subjects: [], next: .awaitingPolicyNumber) == [])
            #expect(try await policiesRead("FORGOT", sid: "SM2", subjects: [own], next: session) == ["AUTO1001", "BOAT3003"])
            #expect(try await policiesRead("b", sid: "SM3", subjects: [], next: session) == ["AUTO1001", "BOAT3003"], "the session's")
            #expect(
                try await policiesRead("home 2002", sid: "SM4", subjects: [.policy(TestPolicies.home.number)], next: .awaitingPolicyNumber)
                    == ["AUTO1001", "BOAT3003", "HOME2002"])
            #expect(try await policiesRead("hi", sid: "SM5", subjects: [], next: .awaitingPolicyNumber) == [])
        },
        Check(name: "theNumberAsASubjectIsCountedLikeAPolicy") { store, _ in
            try await store.upsertPolicies([TestPolicies.auto], at: now)
            let own = CodeSubject.phoneOnFile(phone)
            _ = try await store.processInbound(messageSID: MessageSID("SM1")!, message: message("FORGOT", at: now), subjects: [own]) { _, _ in
                InboundDecision(
                    state: .locked(subject: own, until: now + 900), replies: [],
                    effects: [
                        .recordCodeIssued(subject: own, destination: phone), .recordFailedAttempt(subject: own),
                        .recordLockout(subject: own, until: now + 900),
                    ])
            }
            let facts = try await store.processInbound(messageSID: MessageSID("SM2")!, message: message("x", at: now + 1), subjects: []) {
                state, context in
                InboundDecision(
                    state: state,
                    replies: [
                        "\(state == .locked(subject: own, until: now + 900))",
                        "\(context.codesRequestedLastHour[own] ?? -1) \(context.codesToDestinationLastHour[own] ?? -1)",
                        "\(context.failedAttempts[own] ?? -1) \(context.lockouts.map(\.subject) == [own])",
                        "\(context.subjectsRequestedToday == [own])",
                    ])
            }
            #expect(facts.replies == ["true", "1 1", "1 true", "true"])
        },
    ]
}
