import Foundation
import SMSBotCore
import TestSupport
import Testing

/// SPEC §4: no reply tells a known policy from an unknown one, even when a limit of the
/// policy's phone on file is what holds a code back.
extension ConversationFlowTests {
    @Test(arguments: StoreFixture.Kind.allCases)
    func aPhoneOnFileAtItsHourlyCapAnswersAsAnUnknownPolicyWould(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
            // Five people ask for HOME-2002's code: its phone on file gets five SMS, its hourly cap.
            for texter in 1...5 {
                _ = try await bot.text("HOME-2002", from: "+1555444000\(texter)")
            }
            try await bot.sender.waitFor(count: 5)
            // The sixth hears what anyone asking for a policy that does not exist hears.
            var known: [String] = []
            var unknown: [String] = []
            for text in ["HOME-2002", "123456", "RESEND"] {
                known += try await bot.text(text, from: "+15554440006")
                unknown += try await bot.text(text.replacingOccurrences(of: "HOME-2002", with: "HOME-9999"), from: "+15554440007")
            }
            // The bot runs on the real clock: the cooldown's seconds may tick between the two texters.
            func withoutSeconds(_ replies: [String]) -> [String] {
                replies.map { $0.replacingOccurrences(of: #"wait \d+ seconds"#, with: "wait N seconds", options: .regularExpression) }
            }
            #expect(withoutSeconds(known) == withoutSeconds(unknown))
            #expect(known.first?.contains("If that policy number is ours") == true)
            try await Task.sleep(for: .milliseconds(300))
            #expect(bot.sender.messages.count == 5, "a sixth code reached the phone on file")
            #expect(try await bot.fixture.count("audit_events", where: "event = 'code_withheld'") == 1)
        }
    }
}
