import SMSBotCore
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: ["+15551230001", "+447700900123", "+4915112345678", "+12345678"])
    func e164NumbersAreAccepted(number: String) throws {
        let phone = try #require(PhoneNumber(twilioAddress: number))
        #expect(phone.e164 == number)
        #expect(!phone.isWhatsApp)
        #expect(phone.twilioAddress == number)
    }

    @Test func theWhatsAppPrefixIsKeptApart() throws {
        let phone = try #require(PhoneNumber(twilioAddress: "whatsapp:+15551230001"))
        #expect(phone.e164 == "+15551230001")
        #expect(phone.isWhatsApp)
        #expect(phone.twilioAddress == "whatsapp:+15551230001")
    }

    @Test(arguments: [
        "", "+", "15551230001", "+1555123000x", "+0555123000", "+1234567", "+1234567890123456", "+1 555 123 0001",
        "whatsapp:", "whatsapp:15551230001", "sms:+15551230001", "+١٥٥٥١٢٣٠٠٠١", " +15551230001",
    ])
    func anythingElseIsRefused(address: String) {
        #expect(PhoneNumber(twilioAddress: address) == nil)
    }

    @Test func descriptionIsMaskedSoNumbersNeverReachALogWhole() throws {
        let phone = try #require(PhoneNumber(e164: "+15551230001"))
        #expect(phone.masked == "+1555***0001")
        #expect("\(phone)" == "+1555***0001")
        #expect(PhoneNumber.mask("12345") == "*****")
    }
}

@Suite struct MessageSIDTests {
    @Test func twilioSIDsAreAcceptedAndOddValuesRefused() {
        #expect(MessageSID("SM0123456789abcdef0123456789abcdef")?.rawValue == "SM0123456789abcdef0123456789abcdef")
        #expect(MessageSID("") == nil)
        #expect(MessageSID("SM 1") == nil)
        #expect(MessageSID(String(repeating: "a", count: 65)) == nil)
        #expect(MessageSID("SMé") == nil)
    }
}

@Suite struct PhoneNumberParsingTests {
    @Test(arguments: [
        ("+15551230001", "US", "+15551230001"), ("(555) 123-0001", "US", "+15551230001"), ("1 555 123 0001", "US", "+15551230001"),
        ("555.123.0001", "CA", "+15551230001"), ("07700 900123", "GB", "+447700900123"), ("0044 7700 900123", "US", "+447700900123"),
        ("030 1234567", "DE", "+49301234567"), ("06 12 34 56 78", "FR", "+33612345678"),
    ])
    func numbersAreNormalisedToE164(text: String, region: String, expected: String) {
        #expect(PhoneNumber(parsing: text, defaultRegion: region)?.e164 == expected)
    }

    @Test(arguments: [("555-0100", "US"), ("call me", "US"), ("+1 555 12a 0001", "US"), ("5551230001", "XX"), ("", "US"), ("++15551230001", "US")])
    func nonNumbersAreRefused(text: String, region: String) {
        #expect(PhoneNumber(parsing: text, defaultRegion: region) == nil)
    }
}
