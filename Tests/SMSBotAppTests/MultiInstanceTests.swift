import Foundation
import HTTPTypes
import HummingbirdTesting
import SMSBotApp
import SMSBotStorage
import SMSBotCore
import TestSupport
import Testing

/// Two smsbot instances on one PostgreSQL database behave as one (SPEC §3, issue 5).
@Suite(.timeLimit(.minutes(3))) struct MultiInstanceTests {
    static let numbers = (1...8).map { String(format: "+1555777%04d", $0) }

    static let policies = numbers.enumerated().map { index, phone in
        var policy = TestPolicies.auto
        policy.number = PolicyNumber("MULTI-\(1000 + index)")!
        policy.displayNumber = "MULTI-\(1000 + index)"
        policy.phone = PhoneNumber(e164: phone)!
        return policy
    }

    @Test func aBurstSpreadOverTwoInstancesEndsAsOneInstanceWould() async throws {
        let fixture = try await StoreFixture.make(.postgres)
        do {
            try await fixture.withStore { try await $0.upsertPolicies(Self.policies, at: Date()) }
            var configuration = AppConfiguration.test(database: fixture.location)
            configuration.secretsKey = Secret(ConversationFlowTests.secretsKey)
            let senders = [RecordingSender(), RecordingSender()]
            let first = try await buildApplication(configuration, environment: AppEnvironment(logger: LogCapture().logger(), smsSender: senders[0]))
            let second = try await buildApplication(configuration, environment: AppEnvironment(logger: LogCapture().logger(), smsSender: senders[1]))
            try await first.test(.live) { one in
                try await second.test(.live) { two in
                    try await Self.burst(instances: [one, two])
                    let expected = Self.numbers.count  // the rest of each burst are RESENDs within the cooldown
                    let deadline = ContinuousClock.now + .seconds(10)
                    while senders.map(\.messages.count).reduce(0, +) < expected, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    try await Task.sleep(for: .seconds(1.5))
                }
            }
            let sent = senders.flatMap(\.messages)
            #expect(sent.count == Self.numbers.count, "one code per number, sent exactly once")
            #expect(try await fixture.count("outbox") == sent.count)
            #expect(try await fixture.count("outbox", where: "status = 'sent'") == sent.count)
            #expect(try await fixture.count("processed_messages") == Self.numbers.count * 6)
            for phone in Self.numbers {
                let codes = sent.filter { $0.to.e164 == phone }.compactMap { $0.body.firstMatch(of: /code: (\d+)/).map { String($0.1) } }
                #expect(codes.count == 1, "\(phone)")
                #expect(try await liveCodes(among: codes, fixture: fixture, phone: phone).count == 1, "\(phone) has one live code")
            }
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }

    /// Every number texts its policy number six times at once, each message delivered to both
    /// instances (as a Twilio retry landing elsewhere would be).
    static func burst(instances: [any TestClientProtocol]) async throws {
        try await withThrowingTaskGroup(of: (String, Int, [String]).self) { group in
            for (index, phone) in numbers.enumerated() {
                for message in 0..<6 {
                    var sms = InboundSMS()
                    sms.from = phone
                    sms.body = policies[index].displayNumber
                    let (sid, rawBody, signature) = (sms.messageSID, sms.rawBody, sms.signature())
                    for (copy, instance) in instances.enumerated() {
                        group.addTask {
                            let response = try await instance.post(rawBody: rawBody, signature: signature)
                            #expect(response.status == .ok)
                            return (sid, copy + message, try MessageTexts(parsing: response.text).texts)
                        }
                    }
                }
            }
            var replies: [String: [[String]]] = [:]
            for try await (sid, _, texts) in group { replies[sid, default: []].append(texts) }
            for (sid, answers) in replies {
                #expect(answers.count == 2 && answers[0] == answers[1], "\(sid) answered differently by the two instances")
            }
        }
    }
}
