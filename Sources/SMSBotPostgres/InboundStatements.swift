import Foundation
import PostgresNIO
import SMSBotCore
import SMSBotStorage

// The statements of an inbound message, prepared once per connection; each parameter carries
// its type, so the plans hold whatever the first bindings were. A message to an ongoing
// conversation is two round trips: ReadInbound, then StoreDecision, which writes only if the
// conversation row is still the version read. Otherwise the message runs in a transaction
// that locks the row first: BEGIN, LockConversation, ReadInbound, StoreDecision, COMMIT.

/// Locks the number's conversation row, creating it first if there is none: what serializes a
/// number across instances. `ON CONFLICT DO UPDATE … WHERE FALSE` locks the existing row
/// without writing it, and retries the insert if a concurrent transaction deletes the row.
struct LockConversation: PostgresPreparedStatement {
    typealias Row = ()

    static let sql = """
        INSERT INTO conversations (phone, state, updated_at) VALUES ($1, ''::bytea, $2)
        ON CONFLICT (phone) DO UPDATE SET updated_at = excluded.updated_at WHERE FALSE
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8]

    var phone: String
    var now: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(phone)
        bindings.append(now)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}

/// Everything the engine needs about a message, read in one statement after the lock (so that
/// it sees what the lock's previous holder committed): ``SharedSQL/firstLook``, the number's
/// recent lockouts and requested policies, and one row per policy number (those mentioned and
/// the conversation's own, `conversations.policy_number`) with the policy (if it exists), its
/// claims and its counts; last, the conversation row's version (`xmin`, which every write of
/// the row changes). The counts run for unknown numbers too,
/// against a phone that matches nothing, so that the work does not depend on existence.
struct ReadInbound: PostgresPreparedStatement {
    typealias Row = PostgresRandomAccessRow

    static let sql = """
        SELECT
            \(SharedSQL.firstLookColumns),
            ARRAY(SELECT policy_number FROM lockouts WHERE phone = $2 AND locked_at > $3 ORDER BY id),
            ARRAY(SELECT locked_at FROM lockouts WHERE phone = $2 AND locked_at > $3 ORDER BY id),
            ARRAY(SELECT locked_until FROM lockouts WHERE phone = $2 AND locked_at > $3 ORDER BY id),
            ARRAY(SELECT DISTINCT policy_number FROM otp_challenges WHERE requester_phone = $2 AND issued_at > $3),
            mentioned.number,
            (SELECT count(*) FROM otp_challenges WHERE destination_phone = coalesce(policy.phone, '') AND issued_at > $4),
            (SELECT count(*) FROM otp_challenges WHERE requester_phone = $2 AND policy_number = mentioned.number AND issued_at > $4),
            (SELECT failures FROM verification_failures WHERE phone = $2 AND policy_number = mentioned.number),
            policy.policy_number, policy.display_number, policy.holder_name, policy.phone, policy.product, policy.status,
            policy.effective_date, policy.expiry_date, policy.premium, policy.currency, policy.premium_frequency,
            policy.next_payment_due, policy.balance_due, policy.coverage, policy.deductible,
            (SELECT json_agg(json_build_object(
                    'claimNumber', claim_number, 'status', status, 'filedOn', filed_on, 'amount', amount, 'description', description)
                ORDER BY filed_on DESC, claim_number)::text
             FROM claims WHERE claims.policy_number = policy.policy_number),
            (SELECT xmin::text FROM conversations WHERE phone = $2)
        FROM (VALUES (1)) AS always_one_row
        LEFT JOIN (
            (SELECT DISTINCT number FROM unnest(
                $5::text[] || ARRAY(SELECT policy_number FROM conversations WHERE phone = $2 AND policy_number IS NOT NULL)
             ) AS number) AS mentioned
            LEFT JOIN policies AS policy ON policy.policy_number = mentioned.number
        ) ON TRUE
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .int8, .int8, .textArray]

    var messageSID: String
    var phone: String
    var dayAgo: Int64
    var hourAgo: Int64
    /// The policy numbers mentioned.
    var numbers: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(messageSID)
        bindings.append(phone)
        bindings.append(dayAgo)
        bindings.append(hourAgo)
        bindings.append(numbers)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { row.makeRandomAccess() }
}

/// Stores what the engine decided, in one statement: the state (or the conversation's end),
/// the outbox, the verification counters, opt-out, audit and the processed `MessageSid`, as
/// data-modifying CTEs over arrays. All of them see the rows as they were before the statement,
/// which is what the one-by-one statements of ``SharedSQL/statements(storing:requester:at:)``
/// see too: voiding the texter's queued codes does not void the one queued with it.
///
/// Everything is written only if the conversation row is still the version ReadInbound saw
/// (`claimed`); a write of the row in between (another message from the number, on any
/// instance, or an operator ending the session) leaves the statement without effect and
/// returning no row. Under READ COMMITTED an UPDATE that meets a row changed concurrently waits
/// for that transaction and then checks its condition against the new version.
struct StoreDecision: PostgresPreparedStatement {
    typealias Row = Int32

    static let sql = """
        WITH
        saved AS (
            UPDATE conversations SET state = $4, updated_at = $2, policy_number = $5
            WHERE phone = $1 AND $3 AND xmin::text = $28 RETURNING 1),
        forgotten AS (DELETE FROM conversations WHERE phone = $1 AND NOT $3 AND xmin::text = $28 RETURNING 1),
        claimed AS (SELECT 1 FROM saved UNION ALL SELECT 1 FROM forgotten),
        acknowledged AS (
            UPDATE outbox SET failure_notified = TRUE
            WHERE EXISTS (SELECT 1 FROM claimed) AND $6 AND requester_phone = $1 AND kind = 'otp' AND delivery_status IN ('undelivered', 'failed')
            AND failure_notified = FALSE AND status <> 'pending'),
        voided AS (
            UPDATE outbox SET status = 'dropped', last_error = 'voided by a newer code', body = NULL, updated_at = $2
            WHERE EXISTS (SELECT 1 FROM claimed) AND $7 AND requester_phone = $1 AND kind = 'otp' AND status = 'pending'),
        queued AS (
            INSERT INTO outbox (kind, to_phone, requester_phone, body, not_after, status, next_attempt_at, created_at, updated_at)
            SELECT kind, to_phone, $1, body, nullif(not_after, -1), 'pending', $2, $2, $2
            FROM unnest($8::text[], $9::text[], $10::text[], $11::bigint[]) WITH ORDINALITY AS sms(kind, to_phone, body, not_after, position)
            WHERE EXISTS (SELECT 1 FROM claimed) ORDER BY position),
        issued AS (
            INSERT INTO otp_challenges (requester_phone, policy_number, destination_phone, issued_at)
            SELECT $1, policy_number, nullif(destination, ''), $2 FROM unnest($12::text[], $13::text[]) AS code(policy_number, destination)
            WHERE EXISTS (SELECT 1 FROM claimed)),
        failed AS (
            INSERT INTO verification_failures (phone, policy_number, failures, updated_at)
            SELECT $1, policy_number, count, $2 FROM unnest($14::text[], $15::bigint[]) AS failure(policy_number, count)
            WHERE EXISTS (SELECT 1 FROM claimed)
            ON CONFLICT (phone, policy_number) DO UPDATE
            SET failures = CASE WHEN excluded.policy_number = ANY($27::text[]) THEN excluded.failures
                ELSE verification_failures.failures + excluded.failures END,
                updated_at = excluded.updated_at),
        cleared AS (
            DELETE FROM verification_failures WHERE EXISTS (SELECT 1 FROM claimed) AND phone = $1 AND policy_number = ANY($16::text[])),
        locked AS (
            INSERT INTO lockouts (phone, policy_number, locked_at, locked_until)
            SELECT $1, policy_number, $2, until FROM unnest($17::text[], $18::bigint[]) AS lockout(policy_number, until)
            WHERE EXISTS (SELECT 1 FROM claimed)),
        opted_out AS (
            INSERT INTO opt_outs (phone, opted_out_at) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM claimed) AND $19
            ON CONFLICT (phone) DO NOTHING),
        opted_in AS (DELETE FROM opt_outs WHERE EXISTS (SELECT 1 FROM claimed) AND phone = $1 AND $20),
        audited AS (
            INSERT INTO audit_events (occurred_at, event, phone_masked, policy_number, detail)
            SELECT $2, event, $21, nullif(policy_number, ''), nullif(detail, '')
            FROM unnest($22::text[], $23::text[], $24::text[]) WITH ORDINALITY AS audit(event, policy_number, detail, position)
            WHERE EXISTS (SELECT 1 FROM claimed) ORDER BY position)
        INSERT INTO processed_messages (message_sid, phone, received_at, reply)
        SELECT $25, $1, $2, $26 WHERE EXISTS (SELECT 1 FROM claimed)
        RETURNING 1
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .text, .int8, .bool, .bytea, .text, .bool, .bool,
        .textArray, .textArray, .textArray, .int8Array,
        .textArray, .textArray,
        .textArray, .int8Array, .textArray,
        .textArray, .int8Array,
        .bool, .bool,
        .text, .textArray, .textArray, .textArray,
        .text, .text,
        .textArray, .text,
    ]

    var phone: String
    var now: Int64
    /// The state to keep, or `nil` to forget the conversation.
    var state: Data?
    var policy: String?
    var acknowledgesDeliveryFailure = false
    var voidsQueuedCodes = false
    var outbound: [OutboundSMS] = []
    /// Codes issued: policy, and destination or `""` for none.
    var codesIssued: [(policy: String, destination: String)] = []
    /// Wrong codes per policy, added to the stored count (or counted from zero, see `failuresCleared`).
    var failures: [String: Int64] = [:]
    /// Policies whose count is cleared; those with wrong codes after the clear restart from them.
    var failuresCleared: Set<String> = []
    var lockouts: [(policy: String, until: Int64)] = []
    var optOut: Bool?
    var phoneMasked: String
    /// Audit events: name, policy or `""`, detail or `""`.
    var audits: [(event: String, policy: String, detail: String)] = []
    var messageSID: String
    var reply: String
    /// The conversation row's version when read.
    var version: String

    /// The statement for `decision`: its effects folded into rows per table, with the result the
    /// effects have one by one, in order.
    init(_ decision: InboundDecision, requester: PhoneNumber, messageSID: MessageSID, at now: Date, version: String) {
        self.version = version
        phone = requester.e164
        self.now = now.unixMilliseconds
        state = decision.state == .new ? nil : decision.state.storedForm
        policy = decision.state.policy?.canonical
        acknowledgesDeliveryFailure = decision.acknowledgesDeliveryFailure
        voidsQueuedCodes = decision.effects.contains(where: \.voidsQueuedCodes)
        outbound = decision.outbound
        phoneMasked = requester.masked
        self.messageSID = messageSID.rawValue
        reply = InboundMessageRecord.encode(decision.replies)
        for effect in decision.effects {
            switch effect {
            case .sendCode:
                break  // queued with `outbound`, rendered
            case .recordCodeIssued(let policy, let destination):
                codesIssued.append((policy.canonical, destination?.e164 ?? ""))
            case .recordFailedAttempt(let policy):
                failures[policy.canonical, default: 0] += 1
            case .clearFailedAttempts(let policy):
                failuresCleared.insert(policy.canonical)
                failures[policy.canonical] = nil
            case .recordLockout(let policy, let until):
                lockouts.append((policy.canonical, until.unixMilliseconds))
            case .setOptedOut(let optedOut):
                optOut = optedOut
            case .audit(let event):
                audits.append((event.name, event.policy?.canonical ?? "", event.detail ?? ""))
            }
        }
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 28)
        bindings.append(phone)
        bindings.append(now)
        bindings.append(state != nil)
        bindings.append(ByteBuffer(bytes: state ?? Data()))
        if let policy { bindings.append(policy) } else { bindings.appendNull() }
        bindings.append(acknowledgesDeliveryFailure)
        bindings.append(voidsQueuedCodes)
        bindings.append(outbound.map(\.kind.rawValue))
        bindings.append(outbound.map(\.to.e164))
        bindings.append(outbound.map(\.body))
        bindings.append(outbound.map { $0.notAfter?.unixMilliseconds ?? -1 })
        bindings.append(codesIssued.map(\.policy))
        bindings.append(codesIssued.map(\.destination))
        let failureCounts = failures.sorted { $0.key < $1.key }
        bindings.append(failureCounts.map(\.key))
        bindings.append(failureCounts.map(\.value))
        bindings.append(failuresCleared.filter { failures[$0] == nil }.sorted())
        bindings.append(lockouts.map(\.policy))
        bindings.append(lockouts.map(\.until))
        bindings.append(optOut == true)
        bindings.append(optOut == false)
        bindings.append(phoneMasked)
        bindings.append(audits.map(\.event))
        bindings.append(audits.map(\.policy))
        bindings.append(audits.map(\.detail))
        bindings.append(messageSID)
        bindings.append(reply)
        bindings.append(failuresCleared.filter { failures[$0] != nil }.sorted())
        bindings.append(version)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int32.self) }
}

/// ``StoreDecision`` for the common decision that changes only the conversation (a verified
/// customer's question): the state and the processed `MessageSid`, under the same condition.
/// Far fewer plan nodes than the full statement, which PostgreSQL sets up on every execution.
struct StoreReply: PostgresPreparedStatement {
    typealias Row = Int32

    static let sql = """
        WITH
        saved AS (
            UPDATE conversations SET state = $3, updated_at = $2, policy_number = $4
            WHERE phone = $1 AND xmin::text = $5 RETURNING 1)
        INSERT INTO processed_messages (message_sid, phone, received_at, reply)
        SELECT $6, $1, $2, $7 WHERE EXISTS (SELECT 1 FROM saved)
        RETURNING 1
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .bytea, .text, .text, .text, .text]

    var phone: String
    var now: Int64
    var state: Data
    var policy: String?
    var version: String
    var messageSID: String
    var reply: String

    /// The statement for `decision`, or `nil` when it does more than keep a state.
    init?(_ decision: InboundDecision, requester: PhoneNumber, messageSID: MessageSID, at now: Date, version: String) {
        guard decision.state != .new, decision.outbound.isEmpty, decision.effects.isEmpty, !decision.acknowledgesDeliveryFailure else {
            return nil
        }
        phone = requester.e164
        self.now = now.unixMilliseconds
        state = decision.state.storedForm
        policy = decision.state.policy?.canonical
        self.version = version
        self.messageSID = messageSID.rawValue
        reply = InboundMessageRecord.encode(decision.replies)
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(phone)
        bindings.append(now)
        bindings.append(ByteBuffer(bytes: state))
        if let policy { bindings.append(policy) } else { bindings.appendNull() }
        bindings.append(version)
        bindings.append(messageSID)
        bindings.append(reply)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int32.self) }
}
