import GRDB
import SMSBotStorage

/// The SQLite schema, as named migrations. A shipped migration is never edited: change the
/// schema by appending a new one.
enum SQLiteMigrations {
    /// Times are Unix milliseconds (INTEGER); money stays a decimal string; phones are E.164.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial-schema") { db in
            try db.execute(sql: initialSchema)
        }
        for (name, statements) in SharedSQL.sharedMigrations {
            migrator.registerMigration(name) { db in
                for statement in statements { try db.execute(sql: statement) }
            }
        }
        return migrator
    }

    private static let initialSchema = """
        CREATE TABLE policies (
            policy_number TEXT PRIMARY KEY,          -- canonical: upper case, no spaces or hyphens
            display_number TEXT NOT NULL,            -- as imported, e.g. AUTO-1001
            holder_name TEXT NOT NULL,
            phone TEXT NOT NULL,
            product TEXT NOT NULL,
            status TEXT NOT NULL,
            effective_date TEXT NOT NULL,
            expiry_date TEXT NOT NULL,
            premium TEXT NOT NULL,
            currency TEXT NOT NULL,
            premium_frequency TEXT NOT NULL,
            next_payment_due TEXT,
            balance_due TEXT NOT NULL,
            coverage TEXT NOT NULL,
            deductible TEXT,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE claims (
            policy_number TEXT NOT NULL REFERENCES policies(policy_number) ON DELETE CASCADE,
            claim_number TEXT NOT NULL,
            status TEXT NOT NULL,
            filed_on TEXT NOT NULL,
            amount TEXT,
            description TEXT,
            PRIMARY KEY (policy_number, claim_number)
        );
        CREATE TABLE conversations (
            phone TEXT PRIMARY KEY,
            state BLOB NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX conversations_updated_at ON conversations(updated_at);
        CREATE TABLE otp_challenges (                -- every code issued, for the hourly cap; the code's HMAC
            id INTEGER PRIMARY KEY,                  -- lives in the conversation state, the code nowhere
            requester_phone TEXT NOT NULL,
            policy_number TEXT NOT NULL,
            destination_phone TEXT,                  -- NULL when the policy does not exist (nothing sent)
            issued_at INTEGER NOT NULL
        );
        CREATE INDEX otp_challenges_destination ON otp_challenges(destination_phone, issued_at);
        CREATE INDEX otp_challenges_requester ON otp_challenges(requester_phone, policy_number, issued_at);
        CREATE TABLE lockouts (
            id INTEGER PRIMARY KEY,
            phone TEXT NOT NULL,
            policy_number TEXT NOT NULL,
            locked_at INTEGER NOT NULL,
            locked_until INTEGER NOT NULL
        );
        CREATE INDEX lockouts_phone_policy ON lockouts(phone, policy_number, locked_at);
        CREATE TABLE processed_messages (
            message_sid TEXT PRIMARY KEY,
            phone TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            reply TEXT                               -- JSON array of reply texts; cleared after 15 minutes
        );
        CREATE INDEX processed_messages_received_at ON processed_messages(received_at);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('otp', 'text')),
            to_phone TEXT NOT NULL,
            requester_phone TEXT,                    -- the conversation that caused it
            body TEXT,                               -- an OTP's text is cleared once Twilio accepts it
            not_after INTEGER,                       -- an OTP is never sent after its expiry
            status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dropped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            ambiguous_failures INTEGER NOT NULL DEFAULT 0, -- attempts Twilio may have processed unanswered
            next_attempt_at INTEGER NOT NULL,
            claimed_until INTEGER,
            twilio_sid TEXT UNIQUE,
            error_code INTEGER,                      -- the provider's error code, e.g. Twilio 21610
            last_error TEXT,                         -- why it was dropped or retried; never a number or a code
            delivery_status TEXT,                    -- Twilio's MessageStatus; never moves backwards
            failure_notified INTEGER NOT NULL DEFAULT 0, -- an undelivered OTP was told to the customer
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        CREATE INDEX outbox_requester ON outbox(requester_phone) WHERE delivery_status IN ('undelivered', 'failed');
        CREATE TABLE audit_events (
            id INTEGER PRIMARY KEY,
            occurred_at INTEGER NOT NULL,
            event TEXT NOT NULL,
            phone_masked TEXT NOT NULL,
            policy_number TEXT,
            detail TEXT
        );
        CREATE INDEX audit_events_occurred_at ON audit_events(occurred_at);
        CREATE TABLE opt_outs (
            phone TEXT PRIMARY KEY,
            opted_out_at INTEGER NOT NULL
        );
        """
}
