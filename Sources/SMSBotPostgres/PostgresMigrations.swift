import Logging
import PostgresNIO
import SMSBotStorage

/// The PostgreSQL schema, as named migrations applied in order under an advisory lock, so
/// instances starting together migrate once. A shipped migration is never edited.
enum PostgresMigrations {
    /// Any constant unique to smsbot: the advisory lock the migrations hold.
    private static let lockKey: Int64 = 0x736D_7362_6F74

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS smsbot_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM smsbot_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for (name, statements) in migrations where !applied.contains(name) {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO smsbot_migrations (name) VALUES (\(name))", logger: logger)
            }
        }
    }

    /// Times are Unix milliseconds (BIGINT); money stays a decimal string; phones are E.164.
    static let migrations: [(String, [String])] = [
        (
            "v1-initial-schema",
            [
                """
                CREATE TABLE policies (
                    policy_number TEXT PRIMARY KEY, display_number TEXT NOT NULL, holder_name TEXT NOT NULL,
                    phone TEXT NOT NULL, product TEXT NOT NULL, status TEXT NOT NULL, effective_date TEXT NOT NULL,
                    expiry_date TEXT NOT NULL, premium TEXT NOT NULL, currency TEXT NOT NULL, premium_frequency TEXT NOT NULL,
                    next_payment_due TEXT, balance_due TEXT NOT NULL, coverage TEXT NOT NULL, deductible TEXT,
                    updated_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE claims (
                    policy_number TEXT NOT NULL REFERENCES policies(policy_number) ON DELETE CASCADE,
                    claim_number TEXT NOT NULL, status TEXT NOT NULL, filed_on TEXT NOT NULL, amount TEXT, description TEXT,
                    PRIMARY KEY (policy_number, claim_number))
                """,
                "CREATE TABLE conversations (phone TEXT PRIMARY KEY, state BYTEA NOT NULL, updated_at BIGINT NOT NULL)",
                "CREATE INDEX conversations_updated_at ON conversations(updated_at)",
                """
                CREATE TABLE otp_challenges (
                    id BIGSERIAL PRIMARY KEY, requester_phone TEXT NOT NULL, policy_number TEXT NOT NULL,
                    destination_phone TEXT, issued_at BIGINT NOT NULL)
                """,
                "CREATE INDEX otp_challenges_destination ON otp_challenges(destination_phone, issued_at)",
                "CREATE INDEX otp_challenges_requester ON otp_challenges(requester_phone, policy_number, issued_at)",
                """
                CREATE TABLE lockouts (
                    id BIGSERIAL PRIMARY KEY, phone TEXT NOT NULL, policy_number TEXT NOT NULL,
                    locked_at BIGINT NOT NULL, locked_until BIGINT NOT NULL)
                """,
                "CREATE INDEX lockouts_phone_policy ON lockouts(phone, policy_number, locked_at)",
                """
                CREATE TABLE processed_messages (
                    message_sid TEXT PRIMARY KEY, phone TEXT NOT NULL, received_at BIGINT NOT NULL, reply TEXT)
                """,
                "CREATE INDEX processed_messages_received_at ON processed_messages(received_at)",
                """
                CREATE TABLE outbox (
                    id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('otp', 'text')), to_phone TEXT NOT NULL,
                    requester_phone TEXT, body TEXT, not_after BIGINT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dropped')),
                    attempts INTEGER NOT NULL DEFAULT 0, ambiguous_failures INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL, claimed_until BIGINT, twilio_sid TEXT UNIQUE, error_code INTEGER,
                    last_error TEXT, delivery_status TEXT, failure_notified BOOLEAN NOT NULL DEFAULT FALSE,
                    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX outbox_due ON outbox(status, next_attempt_at)",
                "CREATE INDEX outbox_requester ON outbox(requester_phone) WHERE delivery_status IN ('undelivered', 'failed')",
                """
                CREATE TABLE audit_events (
                    id BIGSERIAL PRIMARY KEY, occurred_at BIGINT NOT NULL, event TEXT NOT NULL, phone_masked TEXT NOT NULL,
                    policy_number TEXT, detail TEXT)
                """,
                "CREATE INDEX audit_events_occurred_at ON audit_events(occurred_at)",
                "CREATE TABLE opt_outs (phone TEXT PRIMARY KEY, opted_out_at BIGINT NOT NULL)",
            ]
        )
    ] + SharedSQL.sharedMigrations
}
