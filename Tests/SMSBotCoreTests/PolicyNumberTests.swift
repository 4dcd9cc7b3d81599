import SMSBotCore
import Testing

@Suite struct PolicyNumberTests {
    @Test func spacesHyphensAndCaseAreIgnored() {
        #expect(PolicyNumber("auto-1001")?.canonical == "AUTO1001")
        #expect(PolicyNumber("AUTO 1001") == PolicyNumber("Auto1001"))
        #expect(PolicyNumber("A-U-T-O-1-0-0-1")?.canonical == "AUTO1001")
    }

    @Test(arguments: ["", "ABC", "AUTO", "12", "AUTO_1001", "AUTÖ1001", String(repeating: "9", count: 25)])
    func nonPolicyNumbersAreRefused(text: String) {
        #expect(PolicyNumber(text) == nil)
    }

    @Test func candidatesAreFoundAnywhereInFreeText() {
        let candidates = PolicyNumber.candidates(in: "Hi! what's the premium on auto 1001, please?")
        #expect(candidates.first == PolicyNumber("AUTO1001"))
        #expect(candidates.contains(PolicyNumber("AUTO1001")!))
        #expect(PolicyNumber.candidates(in: "premium AUTO-1001").contains(PolicyNumber("AUTO1001")!))
        #expect(PolicyNumber.candidates(in: "auto 1001") == [PolicyNumber("AUTO1001")!, PolicyNumber("1001")!])
        #expect(PolicyNumber.candidates(in: "policy 123456789").contains(PolicyNumber("123456789")!))
        #expect(PolicyNumber.candidates(in: "hello there").isEmpty)
        #expect(PolicyNumber.candidates(in: "2").isEmpty)
        #expect(PolicyNumber.candidates(in: String(repeating: "A1B2 ", count: 500)).count <= 32)
    }
}
