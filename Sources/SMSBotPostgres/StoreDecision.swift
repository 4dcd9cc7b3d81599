import Foundation
import PostgresNIO
import SMSBotCore
import SMSBotStorage

/// Stores what the engine decided for each of several messages (of different numbers), in one
/// statement: the state (empty when the conversation ended: the row stays, see below), the outbox, the verification counters,
/// opt-out, audit and the processed `MessageSid`, as data-modifying CTEs over arrays, the
/// effect rows keyed by the texting number. All CTEs see the rows as they were before the
/// statement, which is what the one-by-one statements of
/// ``SharedSQL/statements(storing:requester:at:)`` see too: voiding the texter's queued codes
/// does not void the one queued with it.
///
/// A message is written only if its conversation row is still the version ReadInbound saw
/// (`claimed`), or, when the number had no row, if it can create it; a write of the row in
/// between (another message from the number, on any instance, or an operator ending the
/// session) leaves that message without effect, and its SID missing from the rows returned.
/// Rows are never deleted on the way: an ended conversation keeps its row with an empty state
/// (so does an operator's ending, ``SharedSQL/forgettingConversations(where:_:at:)``), since a
/// row created and deleted between a read and a write would let that write create it again as
/// if nothing had happened; only the purge deletes rows, idle for 30 days. Under READ COMMITTED an UPDATE that meets a row changed
/// concurrently waits for that transaction and then checks its condition against the new
/// version. Rows are updated in the order of the numbers, which are sorted, so that two batches
/// never wait for each other's rows crosswise.
struct StoreDecision: PostgresPreparedStatement {
    typealias Row = String

    static let sql = """
        WITH
        message AS (
            SELECT * FROM unnest(
                $1::text[], $2::bigint[], $3::bytea[], $4::text[], $5::boolean[], $6::boolean[],
                $7::text[], $8::text[], $9::text[], $10::boolean[], $11::boolean[], $12::text[])
            AS message(phone, now, state, policy, acknowledges, voids, version, sid, reply, opts_out, opts_in, masked)),
        saved AS (
            UPDATE conversations SET state = message.state, updated_at = message.now, policy_number = nullif(message.policy, '')
            FROM message WHERE conversations.phone = message.phone AND conversations.xmin::text = message.version
            RETURNING message.phone),
        created AS (
            INSERT INTO conversations (phone, state, updated_at, policy_number)
            SELECT phone, state, now, nullif(policy, '') FROM message WHERE version = ''
            ON CONFLICT (phone) DO NOTHING
            RETURNING phone),
        claimed AS (
            SELECT * FROM message WHERE phone IN (SELECT phone FROM saved UNION ALL SELECT phone FROM created)),
        acknowledged AS (
            UPDATE outbox SET failure_notified = TRUE FROM claimed
            WHERE claimed.acknowledges AND outbox.requester_phone = claimed.phone AND outbox.kind = 'otp'
            AND outbox.delivery_status IN ('undelivered', 'failed') AND outbox.failure_notified = FALSE AND outbox.status <> 'pending'),
        voided AS (
            UPDATE outbox SET status = 'dropped', last_error = 'voided by a newer code', body = NULL, updated_at = claimed.now
            FROM claimed WHERE claimed.voids AND outbox.requester_phone = claimed.phone AND outbox.kind = 'otp' AND outbox.status = 'pending'),
        queued AS (
            INSERT INTO outbox (kind, to_phone, requester_phone, body, not_after, status, next_attempt_at, created_at, updated_at)
            SELECT sms.kind, sms.to_phone, claimed.phone, sms.body, nullif(sms.not_after, -1), 'pending', claimed.now, claimed.now, claimed.now
            FROM unnest($13::text[], $14::text[], $15::text[], $16::text[], $17::bigint[]) WITH ORDINALITY
                AS sms(phone, kind, to_phone, body, not_after, position)
            JOIN claimed ON claimed.phone = sms.phone ORDER BY sms.position),
        issued AS (
            INSERT INTO otp_challenges (requester_phone, policy_number, destination_phone, issued_at)
            SELECT claimed.phone, code.policy_number, nullif(code.destination, ''), claimed.now
            FROM unnest($18::text[], $19::text[], $20::text[]) AS code(phone, policy_number, destination)
            JOIN claimed ON claimed.phone = code.phone),
        failed AS (
            INSERT INTO verification_failures (phone, policy_number, failures, updated_at)
            SELECT claimed.phone, failure.policy_number, failure.count, claimed.now
            FROM unnest($21::text[], $22::text[], $23::bigint[]) AS failure(phone, policy_number, count)
            JOIN claimed ON claimed.phone = failure.phone
            ON CONFLICT (phone, policy_number) DO UPDATE
            SET failures = CASE WHEN excluded.phone || ' ' || excluded.policy_number = ANY($24::text[]) THEN excluded.failures
                ELSE verification_failures.failures + excluded.failures END,
                updated_at = excluded.updated_at),
        cleared AS (
            DELETE FROM verification_failures USING unnest($25::text[], $26::text[]) AS clear(phone, policy_number), claimed
            WHERE claimed.phone = clear.phone AND verification_failures.phone = clear.phone
            AND verification_failures.policy_number = clear.policy_number),
        locked AS (
            INSERT INTO lockouts (phone, policy_number, locked_at, locked_until)
            SELECT claimed.phone, lockout.policy_number, claimed.now, lockout.until
            FROM unnest($27::text[], $28::text[], $29::bigint[]) AS lockout(phone, policy_number, until)
            JOIN claimed ON claimed.phone = lockout.phone),
        opted_out AS (
            INSERT INTO opt_outs (phone, opted_out_at) SELECT phone, now FROM claimed WHERE opts_out
            ON CONFLICT (phone) DO NOTHING),
        opted_in AS (DELETE FROM opt_outs USING claimed WHERE opt_outs.phone = claimed.phone AND claimed.opts_in),
        audited AS (
            INSERT INTO audit_events (occurred_at, event, phone_masked, policy_number, detail)
            SELECT claimed.now, audit.event, claimed.masked, nullif(audit.policy_number, ''), nullif(audit.detail, '')
            FROM unnest($30::text[], $31::text[], $32::text[], $33::text[]) WITH ORDINALITY AS audit(phone, event, policy_number, detail, position)
            JOIN claimed ON claimed.phone = audit.phone ORDER BY audit.position)
        INSERT INTO processed_messages (message_sid, phone, received_at, reply)
        SELECT sid, phone, now, reply FROM claimed
        RETURNING message_sid
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .textArray, .int8Array, .byteaArray, .textArray, .boolArray, .boolArray,
        .textArray, .textArray, .textArray, .boolArray, .boolArray, .textArray,
        .textArray, .textArray, .textArray, .textArray, .int8Array,
        .textArray, .textArray, .textArray,
        .textArray, .textArray, .int8Array, .textArray,
        .textArray, .textArray,
        .textArray, .textArray, .int8Array,
        .textArray, .textArray, .textArray, .textArray,
    ]

    /// A message to store: what was decided, for whom, and the conversation row's version when read.
    struct Message {
        var decision: InboundDecision
        var requester: PhoneNumber
        var messageSID: MessageSID
        var now: Date
        /// `nil` when the number had no conversation row.
        var version: String?
    }

    /// One array per column of `message`.
    private var phones: [String] = [], times: [Int64] = [], states: [ByteBuffer] = [], policies: [String] = []
    private var acknowledges: [Bool] = [], voids: [Bool] = [], versions: [String] = [], messageSIDs: [String] = [], replies: [String] = []
    private var optsOut: [Bool] = [], optsIn: [Bool] = [], masked: [String] = []
    /// Effect rows, each starting with its message's number.
    private var outbound = EffectRows<(kind: String, to: String, body: String, notAfter: Int64)>()
    private var codesIssued = EffectRows<(policy: String, destination: String)>()
    private var failures = EffectRows<(policy: String, count: Int64)>()
    /// "number policy" of each failure count that restarts from zero instead of adding up.
    private var restartedFailures: [String] = []
    private var cleared = EffectRows<String>()
    private var lockouts = EffectRows<(policy: String, until: Int64)>()
    private var audits = EffectRows<(event: String, policy: String, detail: String)>()

    /// The statement for `messages` (of different numbers): each one's effects folded into rows
    /// per table, with the result the effects have one by one, in order.
    init(_ messages: [Message]) {
        for message in messages.sorted(by: { $0.requester.e164 < $1.requester.e164 }) { add(message) }
    }

    private mutating func add(_ message: Message) {
        let phone = message.requester.e164
        let decision = message.decision
        phones.append(phone)
        times.append(message.now.unixMilliseconds)
        states.append(ByteBuffer(bytes: decision.state == .new ? Data() : decision.state.storedForm))
        policies.append(decision.state.subject(of: message.requester)?.storedKey ?? "")
        acknowledges.append(decision.acknowledgesDeliveryFailure)
        voids.append(decision.effects.contains(where: \.voidsQueuedCodes))
        versions.append(message.version ?? "")
        messageSIDs.append(message.messageSID.rawValue)
        replies.append(InboundMessageRecord.encode(decision.replies))
        masked.append(message.requester.masked)
        for sms in decision.outbound {
            outbound.append(phone, (sms.kind.rawValue, sms.to.e164, sms.body, sms.notAfter?.unixMilliseconds ?? -1))
        }
        var failureCounts: [String: Int64] = [:]
        var failuresCleared: Set<String> = []
        var optOut: Bool?
        for effect in decision.effects {
            switch effect {
            case .sendCode:
                break  // queued with `outbound`, rendered
            case .recordCodeIssued(let subject, let destination):
                codesIssued.append(phone, (subject.storedKey, destination?.e164 ?? ""))
            case .recordFailedAttempt(let subject):
                failureCounts[subject.storedKey, default: 0] += 1
            case .clearFailedAttempts(let subject):
                failuresCleared.insert(subject.storedKey)
                failureCounts[subject.storedKey] = nil
            case .recordLockout(let subject, let until):
                lockouts.append(phone, (subject.storedKey, until.unixMilliseconds))
            case .setOptedOut(let optedOut):
                optOut = optedOut
            case .audit(let event):
                audits.append(phone, (event.name, event.subject?.policy?.canonical ?? "", event.detail ?? ""))
            }
        }
        for (policy, count) in failureCounts.sorted(by: { $0.key < $1.key }) {
            failures.append(phone, (policy, count))
            if failuresCleared.contains(policy) { restartedFailures.append(phone + " " + policy) }
        }
        for policy in failuresCleared.sorted() where failureCounts[policy] == nil { cleared.append(phone, policy) }
        optsOut.append(optOut == true)
        optsIn.append(optOut == false)
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 33)
        bindings.append(phones)
        bindings.append(times)
        bindings.append(states)
        bindings.append(policies)
        bindings.append(acknowledges)
        bindings.append(voids)
        bindings.append(versions)
        bindings.append(messageSIDs)
        bindings.append(replies)
        bindings.append(optsOut)
        bindings.append(optsIn)
        bindings.append(masked)
        bindings.append(outbound.phones)
        bindings.append(outbound.rows.map(\.kind))
        bindings.append(outbound.rows.map(\.to))
        bindings.append(outbound.rows.map(\.body))
        bindings.append(outbound.rows.map(\.notAfter))
        bindings.append(codesIssued.phones)
        bindings.append(codesIssued.rows.map(\.policy))
        bindings.append(codesIssued.rows.map(\.destination))
        bindings.append(failures.phones)
        bindings.append(failures.rows.map(\.policy))
        bindings.append(failures.rows.map(\.count))
        bindings.append(restartedFailures)
        bindings.append(cleared.phones)
        bindings.append(cleared.rows)
        bindings.append(lockouts.phones)
        bindings.append(lockouts.rows.map(\.policy))
        bindings.append(lockouts.rows.map(\.until))
        bindings.append(audits.phones)
        bindings.append(audits.rows.map(\.event))
        bindings.append(audits.rows.map(\.policy))
        bindings.append(audits.rows.map(\.detail))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
}

/// Rows of one effect for several messages, each with the number of the message it belongs to.
private struct EffectRows<Columns: Sendable>: Sendable {
    var phones: [String] = []
    var rows: [Columns] = []

    mutating func append(_ phone: String, _ columns: Columns) {
        phones.append(phone)
        rows.append(columns)
    }
}
