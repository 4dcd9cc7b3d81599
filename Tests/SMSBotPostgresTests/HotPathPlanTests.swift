import Foundation
import Logging
import PostgresNIO
import SMSBotCore
import SMSBotStorage
import TestSupport
import Testing

@testable import SMSBotPostgres

/// Every statement on the hot path finds its rows through an index, on tables large enough for
/// the planner to prefer one wherever it serves: a sequential scan would make each message
/// slower as the tables grow.
/// Checked with the plan PostgreSQL uses for the first executions of a prepared statement
/// (custom, from the values) and the one it may keep afterwards (generic, for any values).
@Suite(.timeLimit(.minutes(3))) struct HotPathPlanTests {
    /// A hot statement: its SQL, its parameters' types, and typical values as SQL literals.
    struct HotStatement: Sendable {
        var name: String
        var sql: String
        var types: [PostgresDataType]
        var values: [String]

        init<Statement: PostgresPreparedStatement>(_ statement: Statement.Type, values: [String]) {
            name = "\(statement)"
            sql = statement.sql
            types = statement.bindingDataTypes
            self.values = values
        }

        init(name: String, sql: String, types: [PostgresDataType], values: [String]) {
            self.name = name
            self.sql = sql
            self.types = types
            self.values = values
        }
    }

    static let phone = "'+15551000007'"
    static let otherPhone = "'+15551000008'"

    static let statements: [HotStatement] = [
        HotStatement(LockConversation.self, values: [phone, "1000"]),
        HotStatement(
            ReadInbound.self,
            values: ["ARRAY['SMnew']", "ARRAY[\(phone)]", "ARRAY[1000]::bigint[]", "ARRAY[1000]::bigint[]", "ARRAY['P-7']", "ARRAY[1]::bigint[]"]),
        HotStatement(
            ReadInbound.self,
            values: [
                "ARRAY['SM7', 'SMnew']", "ARRAY[\(phone), \(otherPhone)]", "ARRAY[1000, 1000]::bigint[]", "ARRAY[1000, 1000]::bigint[]",
                "ARRAY[]::text[]", "ARRAY[]::bigint[]",
            ]),
        // FORGOT: the number itself as a subject, so every policy on file for it is read too.
        HotStatement(
            ReadInbound.self,
            values: [
                "ARRAY['SMnew']", "ARRAY[\(phone)]", "ARRAY[1000]::bigint[]", "ARRAY[1000]::bigint[]", "ARRAY['phone:' || \(phone)]",
                "ARRAY[1]::bigint[]",
            ]),
        HotStatement(
            StoreDecision.self,
            values: [
                "ARRAY[\(phone), \(otherPhone)]", "ARRAY[1000, 1000]::bigint[]", "ARRAY['\\x01'::bytea, ''::bytea]",
                "ARRAY['P-7', '']", "ARRAY[true, false]", "ARRAY[true, false]", "ARRAY['1234', '']", "ARRAY['SMnew', 'SMnew2']",
                "ARRAY['[]', '[]']", "ARRAY[true, false]", "ARRAY[false, true]", "ARRAY['+1555***0007', '+1555***0008']",
                "ARRAY[\(phone)]", "ARRAY['otp']", "ARRAY[\(phone)]", "ARRAY['code']", "ARRAY[2000]::bigint[]",
                "ARRAY[\(phone)]", "ARRAY['P-7']", "ARRAY[\(phone)]",
                "ARRAY[\(phone)]", "ARRAY['P-7']", "ARRAY[1]::bigint[]", "ARRAY['+15551000007 P-7']",
                "ARRAY[\(otherPhone)]", "ARRAY['P-8']",
                "ARRAY[\(otherPhone)]", "ARRAY['P-9']", "ARRAY[3000]::bigint[]",
                "ARRAY[\(phone)]", "ARRAY['code_sent']", "ARRAY['P-7']", "ARRAY['']",
            ]),
        HotStatement(
            name: "claimOutbox", sql: PostgresStore.claimingOutbox, types: [.int8, .int8, .int8], values: ["5000", "35000", "16"]),
        HotStatement(
            name: "droppingTwiceAbandonedClaims", sql: SharedSQL.droppingTwiceAbandonedClaims(at: .now).sql, types: [.int8],
            values: ["5000"]),
    ]

    /// One database filled once, every statement explained on it.
    @Test func everyHotStatementFindsItsRowsThroughIndexes() async throws {
        let fixture = try await StoreFixture.make(.postgres)
        do {
            try await fixture.withStore { _ in }  // migrated
            for insert in Self.manyRows { try await fixture.execute(insert) }
            for statement in Self.statements {
                for mode in ["force_custom_plan", "force_generic_plan"] {
                    let scans = try await Self.sequentialScans(of: statement, planCacheMode: mode, in: fixture)
                    #expect(scans == [], "\(statement.name), \(mode): sequential scans of \(scans)")
                }
            }
        } catch {
            await fixture.remove()
            throw error
        }
        await fixture.remove()
    }

    /// The tables `statement`, prepared, reads by sequential scan under `planCacheMode`.
    static func sequentialScans(of statement: HotStatement, planCacheMode: String, in fixture: StoreFixture) async throws -> [String] {
        guard case .postgres(let url) = fixture.location else { return [] }
        return try await withPostgres(url: url.value) { client in
            try await client.withConnection { connection in
                let types = statement.types.map(typeName).joined(separator: ", ")
                for sql in [
                    "PREPARE hot (\(types)) AS \(statement.sql)", "SET plan_cache_mode = \(planCacheMode)",
                ] {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                }
                let explain = "EXPLAIN (FORMAT JSON) EXECUTE hot (\(statement.values.joined(separator: ", ")))"
                var plan = ""
                for try await line in try await connection.query(PostgresQuery(unsafeSQL: explain), logger: logger).decode(String.self) {
                    plan += line
                }
                return try sequentialScans(inPlan: plan)
            }
        }
    }

    /// The tables a plan (EXPLAIN's JSON) reads by sequential scan.
    static func sequentialScans(inPlan json: String) throws -> [String] {
        func scans(in node: Any) -> [String] {
            if let list = node as? [Any] { return list.flatMap(scans) }
            guard let object = node as? [String: Any] else { return [] }
            var found = object["Node Type"] as? String == "Seq Scan" ? [object["Relation Name"] as? String ?? "?"] : []
            for (key, value) in object where key == "Plan" || key == "Plans" { found += scans(in: value) }
            return found
        }
        return scans(in: try JSONSerialization.jsonObject(with: Data(json.utf8)))
    }

    static func typeName(_ type: PostgresDataType) -> String {
        switch type {
        case .text: "text"
        case .int8: "bigint"
        case .bool: "boolean"
        case .bytea: "bytea"
        case .textArray: "text[]"
        case .int8Array: "bigint[]"
        case .boolArray: "boolean[]"
        case .byteaArray: "bytea[]"
        default: "unknown"
        }
    }

    static let logger = Logger(label: "plan-test") { _ in SwiftLogNoOpLogHandler() }

    /// 100,000 outbox rows and 20,000 in each other table a message touches (10,000 policies,
    /// lockouts and opt-outs), spread over 50,000 phones, with statistics: enough for the planner
    /// to prefer an index wherever one serves, light enough not to stall the tests running beside
    /// it on one server (with 100,000 everywhere a start-up test once hung under that load).
    static let manyRows = [
        """
        INSERT INTO policies (policy_number, display_number, holder_name, phone, product, status, effective_date, expiry_date,
            premium, currency, premium_frequency, balance_due, coverage, updated_at)
        SELECT 'P-' || i, 'P-' || i, 'Holder', '+1555' || (1000000 + i % 50000), 'Auto', 'active', '2026-01-01', '2027-01-01',
            '10.00', 'USD', 'monthly', '0.00', 'Liability', i
        FROM generate_series(0, 9999) AS i
        """,
        """
        INSERT INTO claims (policy_number, claim_number, status, filed_on)
        SELECT 'P-' || (i % 10000), 'C-' || i, 'open', '2026-02-01' FROM generate_series(0, 19999) AS i
        """,
        """
        INSERT INTO conversations (phone, state, updated_at, policy_number)
        SELECT '+1555' || (1000000 + i), '\\x01'::bytea, i, 'P-' || (i % 10000) FROM generate_series(0, 19999) AS i
        """,
        """
        INSERT INTO processed_messages (message_sid, phone, received_at, reply)
        SELECT 'SM' || i, '+1555' || (1000000 + i % 50000), i, NULL FROM generate_series(0, 19999) AS i
        """,
        """
        INSERT INTO outbox (kind, to_phone, requester_phone, body, status, next_attempt_at, delivery_status, twilio_sid, created_at, updated_at)
        SELECT CASE WHEN i % 2 = 0 THEN 'otp' ELSE 'text' END, '+1555' || (1000000 + i % 50000), '+1555' || (1000000 + i % 50000), NULL,
            CASE WHEN i % 1000 = 0 THEN 'pending' ELSE 'sent' END, i,
            CASE WHEN i % 100 = 0 THEN 'failed' ELSE 'delivered' END, 'SM' || i, i, i
        FROM generate_series(0, 99999) AS i
        """,
        """
        INSERT INTO otp_challenges (requester_phone, policy_number, destination_phone, issued_at)
        SELECT '+1555' || (1000000 + i % 50000), 'P-' || (i % 10000), '+1555' || (1000000 + i % 50000), i
        FROM generate_series(0, 19999) AS i
        """,
        """
        INSERT INTO verification_failures (phone, policy_number, failures, updated_at)
        SELECT '+1555' || (1000000 + i), 'P-' || i, 1, i FROM generate_series(0, 9999) AS i
        """,
        """
        INSERT INTO lockouts (phone, policy_number, locked_at, locked_until)
        SELECT '+1555' || (1000000 + i), 'P-' || i, i, i + 900000 FROM generate_series(0, 9999) AS i
        """,
        """
        INSERT INTO opt_outs (phone, opted_out_at) SELECT '+1556' || (1000000 + i), i FROM generate_series(0, 9999) AS i
        """,
        """
        INSERT INTO audit_events (occurred_at, event, phone_masked, policy_number)
        SELECT i, 'code_sent', '+1555***' || (i % 10000), 'P-' || (i % 10000) FROM generate_series(0, 19999) AS i
        """,
        """
        ANALYZE
        """,
    ]
}
