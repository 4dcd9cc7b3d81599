import Foundation
import SMSBotCore
import TwilioKit
import SMSBotStorage

/// Sends SMS through Twilio's Messages API, asking for status callbacks when a public URL is
/// set, and giving an OTP a `ValidityPeriod` of its remaining lifetime.
struct TwilioSender: SMSSender {
    let client: TwilioMessagesClient
    let sender: TwilioMessagesClient.Sender
    let statusCallback: String?
    let now: @Sendable () -> Date

    init(configuration: AppConfiguration, now: @escaping @Sendable () -> Date) throws {
        guard let accountSID = configuration.twilio.accountSID, let authToken = configuration.twilio.authToken else {
            throw ConfigurationError(key: "sms.sender", reason: "twilio needs twilio.accountSid and twilio.authToken")
        }
        let credentials: TwilioMessagesClient.Credentials
        if let keySID = configuration.twilio.apiKeySID, let keySecret = configuration.twilio.apiKeySecret {
            credentials = .init(username: keySID, password: keySecret.value)
        } else {
            credentials = .init(username: accountSID, password: authToken.value)
        }
        client = TwilioMessagesClient(
            apiBaseURL: configuration.twilio.apiBaseURL, accountSID: accountSID, credentials: credentials,
            timeout: .seconds(configuration.twilio.timeoutSeconds))
        if let service = configuration.twilio.messagingServiceSID {
            sender = .messagingService(sid: service)
        } else if let from = configuration.twilio.fromNumber {
            sender = .phoneNumber(from)
        } else {
            throw ConfigurationError(key: "twilio.fromNumber", reason: "required to send through Twilio (or set twilio.messagingServiceSid)")
        }
        statusCallback = configuration.publicURL.map { $0 + "/twilio/status" }
        self.now = now
    }

    func send(_ sms: OutboundSMS) async throws(SMSSendError) -> String? {
        let validity = sms.notAfter.map { max(1, Int($0.timeIntervalSince(now()).rounded(.down))) }
        let request = TwilioMessagesClient.MessageRequest(
            to: sms.to.twilioAddress, sender: sender, body: sms.body, statusCallback: statusCallback, validityPeriod: validity)
        do {
            return try await client.createMessage(request).sid
        } catch {
            let kind: SMSSendError.Kind
            switch error.kind {
            case .notProcessed: kind = .notSent
            case .ambiguous: kind = .ambiguous
            case .rejected: kind = .rejected
            }
            throw SMSSendError(kind: kind, code: error.code, reason: error.description, retryAfter: error.retryAfter)
        }
    }
}
