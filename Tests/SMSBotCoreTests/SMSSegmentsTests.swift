import SMSBotCore
import Testing

@Suite struct SMSSegmentsTests {
    @Test func gsm7Fits160InOneSegmentAnd153PerSegmentOnceSplit() {
        #expect(SMSSegments(String(repeating: "a", count: 160)) == SMSSegments.expect(.gsm7, count: 1, units: 160))
        #expect(SMSSegments(String(repeating: "a", count: 161)).count == 2)
        #expect(SMSSegments(String(repeating: "a", count: 306)).count == 2)
        #expect(SMSSegments(String(repeating: "a", count: 307)).count == 3)
        #expect(SMSSegments("").count == 0)
    }

    @Test func extensionCharactersCountDouble() {
        #expect(SMSSegments(String(repeating: "€", count: 80)) == SMSSegments.expect(.gsm7, count: 1, units: 160))
        #expect(SMSSegments(String(repeating: "{", count: 81)).count == 2)
        #expect(SMSSegments("^{}\\[~]|€").units == 18)
        // An escape pair is never split: 152 plain + one extension character needs a second segment.
        #expect(SMSSegments(String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 10)).count == 2)
        #expect(SMSSegments(String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 153)).count == 3)
    }

    @Test func gsm7AccentsStayGSM7ButOthersForceUCS2() {
        #expect(SMSSegments("Ça coûte 5€").encoding == .ucs2)  // û is not in GSM-7
        #expect(SMSSegments("Ça va? Ñandù é ü à").encoding == .gsm7)
        #expect(SMSSegments("é").encoding == .gsm7)
        #expect(SMSSegments("`").encoding == .ucs2)
    }

    @Test func ucs2Fits70InOneSegmentAnd67PerSegmentOnceSplit() {
        #expect(SMSSegments(String(repeating: "保", count: 70)) == SMSSegments.expect(.ucs2, count: 1, units: 70))
        #expect(SMSSegments(String(repeating: "保", count: 71)).count == 2)
        #expect(SMSSegments(String(repeating: "保", count: 134)).count == 2)
        #expect(SMSSegments(String(repeating: "保", count: 135)).count == 3)
        #expect(SMSSegments(String(repeating: "🚗", count: 35)).units == 70)
        #expect(SMSSegments(String(repeating: "🚗", count: 35)).count == 1)
        // A surrogate pair is not split across segments.
        #expect(SMSSegments(String(repeating: "a", count: 66) + "🚗" + String(repeating: "a", count: 10)).count == 2)
    }
}

extension SMSSegments {
    static func expect(_ encoding: Encoding, count: Int, units: Int) -> (Encoding, Int, Int) { (encoding, count, units) }

    static func == (lhs: SMSSegments, rhs: (Encoding, Int, Int)) -> Bool {
        lhs.encoding == rhs.0 && lhs.count == rhs.1 && lhs.units == rhs.2
    }
}
