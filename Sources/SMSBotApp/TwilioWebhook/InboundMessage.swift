import SMSBotCore
import TwilioKit

/// The fields of Twilio's "A message comes in" webhook that smsbot uses.
struct InboundMessage: Sendable {
    let messageSID: MessageSID
    let accountSID: String
    let from: PhoneNumber
    let to: String
    let body: String
    let mediaCount: Int

    /// Reads the webhook form; a missing required field or a malformed `From` is a 400 naming it.
    init(form: FormParameters) throws(WebhookError) {
        func required(_ name: String) throws(WebhookError) -> String {
            guard let value = form[name], !value.isEmpty else { throw .badRequest("missing required field \(name)") }
            return value
        }
        guard let messageSID = MessageSID(try required("MessageSid")) else {
            throw .badRequest("MessageSid is malformed")
        }
        let accountSID = try required("AccountSid")
        guard let from = PhoneNumber(twilioAddress: try required("From")) else {
            throw .badRequest("From is not an E.164 phone number")
        }
        self.messageSID = messageSID
        self.accountSID = accountSID
        self.from = from
        self.to = try required("To")
        self.body = form["Body"] ?? ""
        guard let mediaCount = Int(form["NumMedia"] ?? "0"), mediaCount >= 0 else {
            throw .badRequest("NumMedia is not a number")
        }
        self.mediaCount = mediaCount
    }
}
