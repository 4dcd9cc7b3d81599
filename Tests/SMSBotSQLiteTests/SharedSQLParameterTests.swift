import Foundation
import SMSBotCore
import SMSBotStorage
import TestSupport
import Testing

/// SQLite numbers `$n` parameters in the order they first appear, PostgreSQL by their digits:
/// SQL written once for both binds alike only if `$1`, `$2`, … first appear in that order.
@Suite struct SharedSQLParameterTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let phone = PhoneNumber(e164: "+15551230001")!

    static let statements: [String] = {
        let policy = TestPolicies.auto.number
        let decision = InboundDecision(
            state: .awaitingPolicyNumber, replies: [],
            outbound: [OutboundSMS(kind: .otp, to: phone, body: "code", notAfter: now)],
            effects: [
                .recordCodeIssued(subject: .policy(policy), destination: phone), .recordFailedAttempt(subject: .policy(policy)),
                .clearFailedAttempts(subject: .policy(policy)), .recordLockout(subject: .policy(policy), until: now), .setOptedOut(true),
                .setOptedOut(false), .audit(.loggedOut),
            ],
            acknowledgesDeliveryFailure: true)
        let written =
            SharedSQL.statements(storing: decision, requester: phone, at: now) + SharedSQL.purge(at: now)
            + SharedSQL.statements(upserting: TestPolicies.auto, at: now) + [SharedSQL.droppingTwiceAbandonedClaims(at: now)]
        return written.map(\.sql) + [
            SharedSQL.firstLook, SharedSQL.recentLockouts, SharedSQL.codesToDestination, SharedSQL.codesRequested,
            SharedSQL.subjectsRequested, SharedSQL.policiesOnFile, SharedSQL.failedAttempts, SharedSQL.claimableOutbox,
        ]
    }()

    @Test(arguments: statements)
    func parametersFirstAppearInOrder(sql: String) {
        var seen: [Int] = []
        for match in sql.matches(of: /\$(\d+)/) {
            let number = Int(match.1)!
            if !seen.contains(number) { seen.append(number) }
        }
        #expect(seen == (0..<seen.count).map { $0 + 1 }, "\(sql)")
    }
}
