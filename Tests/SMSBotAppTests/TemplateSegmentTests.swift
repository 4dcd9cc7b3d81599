import Foundation
import SMSBotCore
import TestSupport
import Testing

@testable import SMSBotApp
import SMSBotStorage

/// Every reply, rendered from the shipped templates with realistic and worst-case values,
/// fits SPEC §4's budget: 2 segments, 4 for policy answers, 1 for HELP and the code SMS.
@Suite struct TemplateSegmentTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let businessName: String
        let helpContact: String
        let policy: Policy
        let settings: EngineSettings

        var testDescription: String { name }
    }

    static let cases: [Case] = {
        var longSettings = EngineSettings()
        longSettings.verification.codeLength = 10
        longSettings.verification.codeLifetime = 600
        longSettings.sessionIdleTimeout = 86400
        var worst = TestPolicies.auto
        worst.displayNumber = String(repeating: "W", count: 24)
        worst.holderName = String(repeating: "Maximiliana ", count: 8)
        worst.product = String(repeating: "Commercial ", count: 5)
        worst.status = "pending cancellation review"
        worst.premium = "123456789012.99"
        worst.premiumFrequency = "semi-annually-ish"
        worst.coverage = String(repeating: "Liability 1000000/3000000; ", count: 20)
        worst.deductible = "1000000000.00"
        worst.claims = (1...12).map {
            Claim(claimNumber: "CLM-2026-\($0)0000", status: "under investigation", filedOn: "2026-10-0\($0 % 9 + 1)",
                  amount: "99999999.99", description: String(repeating: "water damage {basement} ", count: 6))
        }
        var unicode = worst
        unicode.holderName = "Zoë Łukasiewicz-Øvergaard 保险"
        unicode.coverage = "Dommages des eaux; tremblement de terre; vol — garantie «tous risques» " + String(repeating: "ü", count: 100)
        return [
            Case(name: "realistic", businessName: "Acme Insurance", helpContact: "1-800-555-0100", policy: TestPolicies.auto, settings: EngineSettings()),
            Case(name: "worst-case GSM-7", businessName: String(repeating: "B", count: 30), helpContact: String(repeating: "[", count: 15),
                 policy: worst, settings: longSettings),
            Case(name: "worst-case UCS-2 policy data", businessName: String(repeating: "B", count: 30), helpContact: String(repeating: "9", count: 30),
                 policy: unicode, settings: longSettings),
        ]
    }()

    private static func replies(for policy: Policy) -> [Reply] {
        var replies: [Reply] = [
            .greeting, .askPolicyNumber, .codeSent(minutes: 10, firstContact: true), .codeSent(minutes: 10, firstContact: false),
            .codeReminder, .codeNotDelivered, .wrongCode(attemptsLeft: 19), .wrongCode(attemptsLeft: 1), .codeExpired, .locked(minutes: 1440),
            .locked(minutes: 15), .resendCooldown(seconds: 3600), .tooManyCodes, .noCodePending, .sessionExpired, .help,
            .loggedOut, .mediaNotSupported, .forgotCodeSent(minutes: 10, firstContact: true),
            .forgotCodeSent(minutes: 10, firstContact: false),
        ]
        for count in [1, 2, 7, 26, 40] {
            let policies = (1...count).map { index in
                var policy = policy
                policy.displayNumber = String(policy.displayNumber.prefix(20)) + "\(1000 + index)"
                return policy
            }
            replies += [
                .policyList(policies, justVerified: true, understood: true), .policyList(policies, justVerified: false, understood: false),
            ]
        }
        for flags in [(false, false), (true, true), (false, true)] {
            replies.append(.menu(policy, justVerified: flags.0, understood: flags.1))
            replies += PolicyQuestion.allCases.map { .answer($0, policy, justVerified: flags.0) }
        }
        return replies
    }

    @Test(arguments: cases)
    func everyReplyFitsItsSegmentBudget(testCase: Case) throws {
        let templates = try ReplyTemplates(overrides: nil, required: ReplyRenderer.templateNames)
        let renderer = ReplyRenderer(
            templates: templates, businessName: testCase.businessName, helpContact: testCase.helpContact, settings: testCase.settings)
        for reply in Self.replies(for: testCase.policy) {
            let text = renderer.render(reply)
            let segments = SMSSegments(text)
            #expect(!text.isEmpty && !text.contains("{{"), "\(reply.templateName) rendered badly: \(text)")
            #expect(segments.count <= reply.maxSegments, "\(reply.templateName): \(segments.count) segments: \(text)")
            if case .answer = reply {} else if case .menu = reply {} else if case .policyList = reply {} else {
                #expect(segments.encoding == .gsm7, "\(reply.templateName) should stay GSM-7")
            }
        }
        let otp = renderer.otpSMS(code: String(repeating: "9", count: testCase.settings.verification.codeLength))
        #expect(SMSSegments(otp) == (.gsm7, 1))
        #expect(otp.contains(testCase.businessName) && otp.contains(String(repeating: "9", count: testCase.settings.verification.codeLength)))
        #expect(otp.contains("min") && otp.contains("never ask"))
        let help = renderer.render(.help)
        #expect(help.contains("Msg&data rates may apply. Reply STOP to opt out."))
        #expect(help.contains(testCase.helpContact) && help.contains(testCase.businessName))
    }

    @Test func realisticAnswersAreNotCut() throws {
        let templates = try ReplyTemplates(overrides: nil, required: ReplyRenderer.templateNames)
        let renderer = ReplyRenderer(templates: templates, businessName: "Acme Insurance", helpContact: "1-800-555-0100", settings: EngineSettings())
        let claims = renderer.render(.answer(.claims, TestPolicies.auto, justVerified: true))
        #expect(claims == "Thanks, you're verified. Policy AUTO-1001 claims: CLM-77 open, filed 2026-10-02, 2300.00 USD (Rear bumper). Reply MENU for more.")
        #expect(renderer.render(.wrongCode(attemptsLeft: 1)) == "That code is not right. 1 attempt left.")
        #expect(renderer.render(.locked(minutes: 1440)).contains("24 hours"))
        var home = TestPolicies.home
        home.phone = TestPolicies.auto.phone
        #expect(
            renderer.render(.policyList([TestPolicies.auto, home], justVerified: true, understood: true))
                == "Thanks, you're verified. Choose a policy by its letter:\nA AUTO-1001 Auto\nB HOME-2002 Home\nLOGOUT to end.")
    }

    /// A phone with more policies than two segments hold: as many as fit, lettered in order, and
    /// how to reach the rest.
    @Test func aLongListSaysHowTheRestAreReached() throws {
        let templates = try ReplyTemplates(overrides: nil, required: ReplyRenderer.templateNames)
        let renderer = ReplyRenderer(templates: templates, businessName: "Acme Insurance", helpContact: "1-800-555-0100", settings: EngineSettings())
        let policies = (1...40).map { index in
            var policy = TestPolicies.auto
            policy.displayNumber = "FLEET-\(5000 + index)"
            policy.product = "Commercial fleet vehicle"
            return policy
        }
        let list = renderer.render(.policyList(policies, justVerified: true, understood: true))
        let lines = list.split(separator: "\n").dropFirst().dropLast(2)
        #expect(SMSSegments(list).count == 2)
        #expect(lines.count >= 6, "\(list)")
        for (letter, line) in zip(ReplyRenderer.listLetters, lines) {
            #expect(line.hasPrefix("\(letter) FLEET-"), "\(list)")
        }
        #expect(list.hasSuffix("\n\(40 - lines.count) more: reply with the policy number.\nLOGOUT to end."), "\(list)")
    }
}

private func == (lhs: SMSSegments, rhs: (SMSSegments.Encoding, Int)) -> Bool {
    lhs.encoding == rhs.0 && lhs.count == rhs.1
}
