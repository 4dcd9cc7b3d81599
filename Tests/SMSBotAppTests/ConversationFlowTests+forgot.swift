import Foundation
import SMSBotCore
import SMSBotStorage
import TestSupport
import Testing

/// `FORGOT` (SPEC §4 step 2b) through real HTTP into the app, on both stores.
extension ConversationFlowTests {
    /// A second policy on file for +15551230001, besides AUTO-1001.
    static let boat = Policy(
        number: PolicyNumber("BOAT-3003")!, displayNumber: "BOAT-3003", holderName: "Dana Reyes",
        phone: PhoneNumber(e164: "+15551230001")!, product: "Boat", status: "lapsed", effectiveDate: "2025-05-01",
        expiryDate: "2026-05-01", premium: "310.00", currency: "USD", premiumFrequency: "annual", nextPaymentDue: nil,
        balanceDue: "0.00", coverage: "Hull 40000", deductible: nil, claims: [])

    @Test(arguments: StoreFixture.Kind.allCases)
    func forgotVerifiesEveryPolicyOnFileForTheTextingNumber(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
            try await bot.fixture.withStore { try await $0.upsertPolicies([Self.boat], at: Date()) }
            #expect(try await bot.text("premium please").joined().contains("FORGOT"))
            let sent = try await bot.text("Forgot")
            #expect(sent.joined().contains("If this number is on file with us"))
            try await bot.sender.waitFor(count: 1)
            #expect(bot.sender.messages.map(\.to.e164) == ["+15551230001"])
            let code = try #require(bot.sender.codes(to: "+15551230001").first)
            #expect(!sent.joined().contains(code))

            let list = try await bot.text(code).joined()
            #expect(list.contains("A AUTO-1001 Auto") && list.contains("B BOAT-3003 Boat"), "\(list)")
            #expect(!list.contains("HOME-2002"), "another phone's policy")
            #expect(!list.contains("128.40") && !list.contains("310.00"), "number and product only")
            #expect(try await bot.text("b").joined().contains("BOAT-3003: premium 310.00"), "the request sent before FORGOT")
            #expect(try await bot.text("3").joined().contains("Hull 40000"))
            #expect(try await bot.text("premium for auto-1001").joined().contains("128.40"), "switched without a code")
            #expect(try await bot.text("MENU").joined().contains("B BOAT-3003 Boat"))
            #expect(bot.sender.messages.count == 1, "one code for both policies")

            // The operator moves BOAT-3003 to another phone: it leaves the session at once.
            _ = try await bot.text("B")
            var moved = Self.boat
            moved.phone = PhoneNumber(e164: "+15551230077")!
            let messages = PolicyMessages(
                welcome: { OutboundSMS(kind: .text, to: $0, body: "welcome") }, phoneChangedNotice: { OutboundSMS(kind: .text, to: $0, body: "notice") })
            try await bot.fixture.withStore { try await $0.replacePolicy(moved, messages: messages, by: OperatorAction(actor: "ops", at: Date())) }
            let after = try await bot.text("2").joined()
            #expect(after.contains("Sorry") && after.contains("Policy AUTO-1001") && !after.contains("310.00"), "\(after)")
            #expect(try await bot.text("2").joined().contains("128.40"))

            #expect(try await bot.fixture.count("audit_events", where: "event IN ('code_sent', 'verified')") == 2)
            for event in ["code_sent", "verified"] {
                #expect(try await bot.fixture.count("audit_events", where: "event = '\(event)' AND policy_number IS NULL AND detail = 'forgot'") == 1)
            }
            #expect(try await bot.fixture.count("otp_challenges", where: "policy_number = 'phone:+15551230001'") == 1)
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func forgotFromANumberOnFileForNothingSoundsTheSameAndSendsNothing(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
            let onFile = try await bot.text("FORGOT", from: "+15551230001")
            let notOnFile = try await bot.text("FORGOT", from: "+15551230009")
            #expect(notOnFile == onFile)
            try await bot.sender.waitFor(count: 1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(bot.sender.messages.map(\.to.e164) == ["+15551230001"])
            for left in [4, 3, 2, 1] {
                #expect(try await bot.text("123456", from: "+15551230009").joined().contains("\(left)"))
            }
            #expect(try await bot.text("123456", from: "+15551230009").joined().contains("locked"))
            #expect(try await bot.fixture.count("lockouts", where: "policy_number = 'phone:+15551230009'") == 1)
            #expect(try await bot.text("FORGOT", from: "+15551230009").joined().contains("locked"))
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aRequestBeforeForgotIsAnsweredRightAfterTheCode(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
            _ = try await bot.text("what's my premium", from: "+15551230002")
            _ = try await bot.text("FORGOT", from: "+15551230002")
            try await bot.sender.waitFor(count: 1)
            let code = try #require(bot.sender.codes(to: "+15551230002").first)
            let answer = try await bot.text(code, from: "+15551230002").joined()
            #expect(answer.contains("1450.00") && answer.contains("HOME-2002"), "\(answer)")
        }
    }

    @Test(arguments: StoreFixture.Kind.allCases)
    func aPhoneWithManyPoliciesGetsAListWithinTwoSegments(kind: StoreFixture.Kind) async throws {
        try await withBot(kind) { bot in
            let many = (1...30).map { index in
                var policy = Self.boat
                policy.number = PolicyNumber("FLEET-\(5000 + index)")!
                policy.displayNumber = "FLEET-\(5000 + index)"
                policy.product = "Commercial fleet vehicle"
                return policy
            }
            try await bot.fixture.withStore { try await $0.upsertPolicies(many, at: Date()) }
            _ = try await bot.text("FORGOT")
            try await bot.sender.waitFor(count: 1)
            let code = try #require(bot.sender.codes(to: "+15551230001").first)
            let list = try #require(try await bot.text(code).first)
            #expect(SMSSegments(list).count <= 2, "\(list)")
            #expect(list.contains("A AUTO-1001 Auto") && list.contains("B FLEET-5001"))
            #expect(list.contains("more: reply with the policy number"), "\(list)")
            #expect(try await bot.text("FLEET-5030 status").joined().contains("FLEET-5030"), "an unlisted one by its number")
        }
    }
}
