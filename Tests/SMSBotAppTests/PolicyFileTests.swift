import Foundation

import SMSBotCore
import TestSupport
import Testing

@testable import SMSBotApp
import SMSBotStorage
@testable import SMSBotSQLite

@Suite struct PolicyFileTests {
    private func read(_ text: String, name: String) throws(PolicyFileError) -> [Policy] {
        try PolicyFile.read(Data(text.utf8), name: name, defaultRegion: "US")
    }

    private static let header =
        "policyNumber,holderName,phone,product,status,effectiveDate,expiryDate,premium,currency,premiumFrequency,nextPaymentDue,balanceDue,coverage,deductible"

    @Test func theDemoPoliciesAreValid() throws {
        let path = TestPaths.repositoryRoot.appendingPathComponent("Config/demo-policies.json").path
        let policies = try PolicyFile.read(Data(contentsOf: URL(fileURLWithPath: path)), name: path, defaultRegion: "US")
        #expect(policies.count >= 4)
        #expect(policies.first { $0.displayNumber == "AUTO-1001" }?.phone.e164 == "+15551230001")
    }

    @Test func jsonAsInTheSpecIsRead() throws {
        let policies = try read(
            """
            [{"policyNumber": "AUTO-1001", "holderName": "Dana Reyes",
              "phone": "(555) 123-0001", "product": "Auto", "status": "active",
              "effectiveDate": "2026-01-01", "expiryDate": "2027-01-01",
              "premium": "128.40", "currency": "USD", "premiumFrequency": "monthly",
              "nextPaymentDue": "2026-12-01", "balanceDue": "0.00",
              "coverage": "Liability 100/300/100; collision", "deductible": "500.00",
              "claims": [{"claimNumber": "CLM-77", "status": "open",
                          "filedOn": "2026-10-02", "amount": "2300.00",
                          "description": "Rear bumper"}]}]
            """, name: "p.json")
        #expect(policies == [TestPolicies.auto])
    }

    @Test func csvWithQuotedFieldsIsRead() throws {
        let csv = #"""
            \#(Self.header)\#r
            AUTO-1001,Dana Reyes,+15551230001,Auto,active,2026-01-01,2027-01-01,128.40,USD,monthly,2026-12-01,0.00,"Liability 100/300/100; collision",500.00\#r
            HOME-2002,"Okafor, Sam ""Sammy""",555-123-0002,Home,active,2026-03-01,2027-03-01,1450.00,USD,annual,,120.00,"Dwelling
            contents",
            """#
        let policies = try read(csv, name: "p.csv")
        #expect(policies.count == 2)
        #expect(policies[0] == { var p = TestPolicies.auto; p.claims = []; return p }())
        #expect(policies[1].holderName == #"Okafor, Sam "Sammy""#)
        #expect(policies[1].phone.e164 == "+15551230002")
        #expect(policies[1].coverage == "Dwelling\ncontents")
        #expect(policies[1].nextPaymentDue == nil && policies[1].deductible == nil)
    }

    @Test func everyBadJSONRowIsReportedWithItsLine() {
        let json = """
            [
              {"policyNumber": "AUTO-1001", "holderName": "A", "phone": "+15551230001", "product": "Auto", "status": "active",
               "effectiveDate": "2026-01-01", "expiryDate": "2027-01-01", "premium": "1.00", "currency": "USD",
               "premiumFrequency": "monthly", "coverage": "x"},
              {"policyNumber": "AUTO-1002", "holderName": "B", "phone": "12", "product": "Auto", "status": "active",
               "effectiveDate": "2026-01-01", "expiryDate": "2027-01-01", "premium": "1.00", "currency": "USD",
               "premiumFrequency": "monthly", "coverage": "x"},
              {"policyNumber": "AUTO-1003", "holderName": "C", "phone": "+15551230003", "product": "Auto", "status": "active",
               "effectiveDate": "2026-02-30", "expiryDate": "2027-01-01", "premium": 1.5, "currency": "USD",
               "premiumFrequency": "monthly", "coverage": "x"},
              "not an object",
              {"policyNumber": "auto 1001", "holderName": "D", "phone": "+15551230004", "product": "Auto", "status": "active",
               "effectiveDate": "2026-01-01", "expiryDate": "2027-01-01", "premium": "1.00", "currency": "usd",
               "premiumFrequency": "monthly", "coverage": "x", "premum": "2"}
            ]
            """
        #expect {
            try read(json, name: "bad.json")
        } throws: { error in
            guard let error = error as? PolicyFileError else { return false }
            return error.problems == [
                "bad.json:5: phone is not an E.164 number or a national number of US",
                "bad.json:8: premium must be a string (write amounts as \"128.40\")",
                "bad.json:11: expected a policy object",
                "bad.json:12: unknown field \"premum\"",
            ]
        }
    }

    @Test func aClaimNumberRepeatedInOnePolicyIsReportedWithItsLine() {
        let json = """
            [
              {"policyNumber": "AUTO-1001", "holderName": "A", "phone": "+15551230001", "product": "Auto", "status": "active",
               "effectiveDate": "2026-01-01", "expiryDate": "2027-01-01", "premium": "1.00", "currency": "USD",
               "premiumFrequency": "monthly", "coverage": "x",
               "claims": [{"claimNumber": "CLM-1", "status": "open", "filedOn": "2026-02-01"},
                          {"claimNumber": "CLM-2", "status": "open", "filedOn": "2026-02-02"},
                          {"claimNumber": "CLM-1", "status": "closed", "filedOn": "2026-02-03"}]}
            ]
            """
        #expect {
            try read(json, name: "claims.json")
        } throws: { error in
            (error as? PolicyFileError)?.problems == ["claims.json:2: claim 3: claimNumber CLM-1 is already claim 1"]
        }
    }

    @Test func semanticErrorsAreReportedPerRow() {
        let csv = """
            \(Self.header)
            AUTO-1001,A,+15551230001,Auto,active,2026-01-01,2027-01-01,1.00,USD,monthly,,0,x,
            AUTO-1002,B,+15551230002,Auto,active,2026-02-30,2027-01-01,1.00,USD,monthly,,0,x,
            AUTO-1003,C,+15551230003,Auto,active,2026-01-01,2025-01-01,1.00,USD,monthly,,0,x,
            AUTO-1004,D,+15551230004,Auto,active,2026-01-01,2027-01-01,-1,USD,monthly,,0,x,
            ,E,+15551230005,Auto,active,2026-01-01,2027-01-01,1.00,USD,monthly,,0,x,
            auto 1001,F,+15551230006,Auto,active,2026-01-01,2027-01-01,1.00,USD,monthly,,0,x,
            AUTO-1007,G,+15551230007,Auto,active,2026-01-01,2027-01-01,1.00,usd,monthly,,0,x,
            AUTO-1008,H,+15551230008,Auto,active
            """
        #expect {
            try read(csv, name: "bad.csv")
        } throws: { error in
            guard let error = error as? PolicyFileError else { return false }
            return error.problems == [
                "bad.csv:3: effectiveDate must be a date YYYY-MM-DD",
                "bad.csv:4: expiryDate must be after effectiveDate",
                "bad.csv:5: premium must be a decimal amount such as 128.40",
                "bad.csv:6: policyNumber is missing",
                "bad.csv:7: policy auto 1001 already appears on line 2",
                "bad.csv:8: currency must be a three-letter ISO 4217 code such as USD",
                "bad.csv:9: expected 14 fields, found 5",
            ]
        }
    }

    @Test func headerProblemsAreReportedOnce() {
        #expect(throws: PolicyFileError(problems: ["h.csv:1: claims can only be imported from JSON"])) {
            try read("policyNumber,claims\nA1234,x\n", name: "h.csv")
        }
        #expect(throws: PolicyFileError(problems: ["h.csv:1: unknown column \"colour\""])) {
            try read("policyNumber,colour\nA1234,red\n", name: "h.csv")
        }
        #expect(throws: PolicyFileError(problems: ["h.csv:2: a quoted field is never closed"])) {
            try read("policyNumber\n\"A1234\n", name: "h.csv")
        }
        #expect(throws: PolicyFileError(problems: ["h.txt:1: expected a .json or .csv file"])) {
            try read("", name: "h.txt")
        }
        #expect(throws: PolicyFileError.self) { try read("{\"not\": \"an array\"}", name: "h.json") }
        #expect(throws: PolicyFileError.self) { try read("[{\"policyNumber\": ", name: "h.json") }
    }

    @Test func reimportingAPolicyNumberUpdatesItAndReplacesItsClaims() async throws {
        let store = try SQLiteStore()
        try await store.migrate()
        try await store.upsertPolicies([TestPolicies.auto, TestPolicies.home], at: Date())
        var updated = TestPolicies.auto
        updated.premium = "140.00"
        updated.claims = []
        try await store.upsertPolicies([updated], at: Date())
        #expect(try await store.allPolicies() == [updated, TestPolicies.home])
        #expect(try await store.insertMissingPolicies([TestPolicies.auto], at: Date()) == 0)
        #expect(try await store.allPolicies().first == updated)
    }
}
