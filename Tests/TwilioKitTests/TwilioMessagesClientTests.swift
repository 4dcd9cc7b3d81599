import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing
import TwilioKit

/// The Messages API client against a real loopback server standing in for Twilio.
@Suite(.timeLimit(.minutes(3))) struct TwilioMessagesClientTests {
    private static let account = "AC0123456789abcdef0123456789abcdef"

    private func withClient(
        _ fake: FakeTwilio, timeout: Duration = .seconds(5), _ test: @Sendable (TwilioMessagesClient) async throws -> Void
    ) async throws {
        try await fake.application().test(.live) { fakeClient in
            let client = TwilioMessagesClient(
                apiBaseURL: "http://127.0.0.1:\(fakeClient.port!)", accountSID: Self.account,
                credentials: .init(username: Self.account, password: "auth-token"), timeout: timeout)
            try await test(client)
        }
    }

    private let request = TwilioMessagesClient.MessageRequest(
        to: "+15551230001", sender: .phoneNumber("+15550009999"), body: "Acme code: 123456 & more",
        statusCallback: "https://bot.example.com/twilio/status", validityPeriod: 297)

    @Test func aMessageIsPostedAsTwilioExpects() async throws {
        let fake = FakeTwilio()
        try await withClient(fake) { client in
            let message = try await client.createMessage(request)
            #expect(message.status == "queued" && message.sid.hasPrefix("SM"))
        }
        let call = try #require(fake.calls.first)
        #expect(fake.calls.count == 1)
        #expect(call.accountSID == Self.account)
        #expect(call.authorization == "Basic " + Data("\(Self.account):auth-token".utf8).base64EncodedString())
        #expect(call.form == [
            "To": "+15551230001", "From": "+15550009999", "Body": "Acme code: 123456 & more",
            "StatusCallback": "https://bot.example.com/twilio/status", "ValidityPeriod": "297",
        ])
        #expect(fake.unexpectedRequests.isEmpty)
    }

    @Test func aMessagingServiceReplacesFrom() async throws {
        let fake = FakeTwilio()
        try await withClient(fake) { client in
            var request = request
            request.sender = .messagingService(sid: "MG0123456789abcdef0123456789abcdef")
            request.statusCallback = nil
            request.validityPeriod = nil
            _ = try await client.createMessage(request)
        }
        #expect(fake.calls.first?.form == ["To": "+15551230001", "MessagingServiceSid": "MG0123456789abcdef0123456789abcdef", "Body": "Acme code: 123456 & more"])
    }

    @Test(arguments: [
        (FakeTwilio.Behaviour.fail(status: 503, code: nil), TwilioAPIError.Kind.notProcessed, Int?.none),
        (.fail(status: 429, code: 20429, retryAfter: 7), .notProcessed, 20429),
        (.fail(status: 400, code: 20429), .notProcessed, 20429),
        (.fail(status: 500, code: 20500), .ambiguous, 20500),
        (.fail(status: 502, code: nil), .ambiguous, nil),
        (.fail(status: 400, code: 21211), .rejected, 21211),
        (.fail(status: 400, code: 21610), .rejected, 21610),
        (.fail(status: 401, code: 20003), .rejected, 20003),
    ])
    func errorsAreClassifiedByWhetherTwilioMayHaveProcessedThem(
        behaviour: FakeTwilio.Behaviour, kind: TwilioAPIError.Kind, code: Int?
    ) async throws {
        let fake = FakeTwilio()
        fake.script(behaviour)
        try await withClient(fake) { client in
            do throws(TwilioAPIError) {
                _ = try await client.createMessage(request)
                Issue.record("expected a failure")
            } catch {
                #expect(error.kind == kind)
                #expect(error.code == code)
                #expect(!error.description.contains("+1555"))
                if case .fail(429, _, let retryAfter) = behaviour { #expect(error.retryAfter == retryAfter.map(Double.init)) }
            }
        }
    }

    @Test func aResponseSlowerThanTheTimeoutIsAmbiguous() async throws {
        let fake = FakeTwilio()
        fake.script(.delay(.seconds(3)))
        try await withClient(fake, timeout: .seconds(1)) { client in
            await #expect(throws: TwilioAPIError(kind: .ambiguous, message: "no complete response (HTTPClientError)")) {
                _ = try await client.createMessage(request)
            }
        }
    }

    @Test func aRefusedConnectionIsSurelyNotProcessed() async throws {
        let closedPort = try await FakeTwilio().application().test(.live) { $0.port! }
        let client = TwilioMessagesClient(
            apiBaseURL: "http://127.0.0.1:\(closedPort)", accountSID: Self.account,
            credentials: .init(username: Self.account, password: "auth-token"), timeout: .seconds(2))
        await #expect(throws: TwilioAPIError(kind: .notProcessed, message: "could not connect")) {
            _ = try await client.createMessage(request)
        }
    }
}
