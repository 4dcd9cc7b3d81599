import Foundation
import PostgresNIO
import SMSBotCore
import SMSBotStorage

// The statements of inbound messages, prepared once per connection; each parameter carries its
// type, so the plans hold whatever the first bindings were. Messages of different numbers are
// handled in batches (``InboundBatcher``): one ReadInbound for all of them, then one
// StoreDecision, which writes each message only if its conversation row is still the version
// read (or, for a number without a row, only if it creates the row). A message that could not
// be written so runs alone in a transaction that locks the row first: BEGIN, LockConversation,
// ReadInbound, StoreDecision, COMMIT.

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

/// Everything the engine needs about each of several messages (of different numbers), read in
/// one statement: per message, ``SharedSQL/firstLook``, the number's recent lockouts and
/// requested subjects, and one row per subject (the message's, the conversation's own in
/// `conversations.policy_number`, and every policy on file for the number when one of those is
/// the number itself) with the policy (if it is one that exists), its claims and its counts;
/// last, the conversation row's version (`xmin`, which every write of the row changes). A
/// message without any subject has one row with `NULL`s there. Rows come in message order,
/// each starting with the message's position (from 1).
/// The counts run for unknown numbers too, against a phone that matches nothing, so that the
/// work does not depend on existence. Run after the lock, it sees what the lock's previous
/// holder committed.
struct ReadInbound: PostgresPreparedStatement {
    typealias Row = PostgresRandomAccessRow

    static let sql = """
        SELECT
            message.position,
            \(SharedSQL.firstLookColumns(messageSID: "message.sid", phone: "message.phone")),
            ARRAY(SELECT policy_number FROM lockouts WHERE phone = message.phone AND locked_at > message.day_ago ORDER BY id),
            ARRAY(SELECT locked_at FROM lockouts WHERE phone = message.phone AND locked_at > message.day_ago ORDER BY id),
            ARRAY(SELECT locked_until FROM lockouts WHERE phone = message.phone AND locked_at > message.day_ago ORDER BY id),
            ARRAY(SELECT DISTINCT policy_number FROM otp_challenges WHERE requester_phone = message.phone AND issued_at > message.day_ago),
            mentioned.number,
            (SELECT count(*) FROM otp_challenges
             WHERE destination_phone = coalesce(
                mentioned.policy_phone, CASE WHEN mentioned.number = 'phone:' || message.phone THEN message.phone ELSE '' END)
             AND issued_at > message.hour_ago),
            (SELECT count(*) FROM otp_challenges
             WHERE requester_phone = message.phone AND policy_number = mentioned.number AND issued_at > message.hour_ago),
            (SELECT failures FROM verification_failures WHERE phone = message.phone AND policy_number = mentioned.number),
            mentioned.policy_number, mentioned.display_number, mentioned.holder_name, mentioned.policy_phone, mentioned.product,
            mentioned.status, mentioned.effective_date, mentioned.expiry_date, mentioned.premium, mentioned.currency,
            mentioned.premium_frequency, mentioned.next_payment_due, mentioned.balance_due, mentioned.coverage, mentioned.deductible,
            (SELECT json_agg(json_build_object(
                    'claimNumber', claim_number, 'status', status, 'filedOn', filed_on, 'amount', amount, 'description', description)
                ORDER BY filed_on DESC, claim_number)::text
             FROM claims WHERE claims.policy_number = mentioned.policy_number),
            (SELECT xmin::text FROM conversations WHERE phone = message.phone)
        FROM unnest((SELECT $1::text[]), (SELECT $2::text[]), (SELECT $3::bigint[]), (SELECT $4::bigint[]))
            WITH ORDINALITY AS message(sid, phone, day_ago, hour_ago, position)
        CROSS JOIN LATERAL (
            SELECT ARRAY(SELECT mention.number FROM unnest($5::text[], $6::bigint[]) AS mention(number, position)
                         WHERE mention.position = message.position)
                || ARRAY(SELECT policy_number FROM conversations WHERE phone = message.phone AND policy_number IS NOT NULL) AS subjects
        ) AS own
        LEFT JOIN LATERAL (
            SELECT numbers.number, policy.policy_number, policy.display_number, policy.holder_name, policy.phone AS policy_phone,
                policy.product, policy.status, policy.effective_date, policy.expiry_date, policy.premium, policy.currency,
                policy.premium_frequency, policy.next_payment_due, policy.balance_due, policy.coverage, policy.deductible
            FROM (SELECT DISTINCT number FROM unnest(
                    own.subjects
                    || ARRAY(SELECT policy_number FROM policies
                             WHERE phone = message.phone AND 'phone:' || message.phone = ANY(own.subjects))
                 ) AS number) AS numbers
            LEFT JOIN policies AS policy ON policy.policy_number = numbers.number
        ) AS mentioned ON TRUE
        ORDER BY message.position
        """
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .textArray, .int8Array, .int8Array, .textArray, .int8Array]

    /// Per message: its SID, number, and the times a day and an hour before it.
    var messageSIDs: [String] = []
    var phones: [String] = []
    var daysAgo: [Int64] = []
    var hoursAgo: [Int64] = []
    /// The subjects' stored keys (policy numbers mentioned, `phone:…` for FORGOT), each with its message's position.
    var mentioned: [String] = []
    var mentionedBy: [Int64] = []

    /// The statement for `messages`, in order.
    init(_ messages: [PostgresStore.InboundRequest]) {
        for (position, message) in zip(Int64(1)..., messages) {
            messageSIDs.append(message.messageSID.rawValue)
            phones.append(message.phone.e164)
            daysAgo.append(message.now.addingTimeInterval(-24 * 3600).unixMilliseconds)
            hoursAgo.append(message.now.addingTimeInterval(-3600).unixMilliseconds)
            for number in Set(message.subjects.map(\.storedKey)).sorted() {
                mentioned.append(number)
                mentionedBy.append(position)
            }
        }
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(messageSIDs)
        bindings.append(phones)
        bindings.append(daysAgo)
        bindings.append(hoursAgo)
        bindings.append(mentioned)
        bindings.append(mentionedBy)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { row.makeRandomAccess() }
}
