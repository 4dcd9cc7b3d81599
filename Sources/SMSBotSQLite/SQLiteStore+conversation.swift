import Foundation
import GRDB
import SMSBotCore
import SMSBotStorage

/// Loading what the engine needs and storing what it decided, inside the message's transaction.
extension SQLiteStore {
    /// What one query finds before a message is handled: whether its SID was seen, and the
    /// texter's state and flags (one statement instead of four on the hot path).
    struct FirstLook {
        /// When the SID was first received, if it was; its stored replies.
        var seenAt: Int64?
        var storedReply: String?
        var state: ConversationState
        var isOptedOut: Bool
        var codeDeliveryFailed: Bool
    }

    static func firstLook(at messageSID: MessageSID, from phone: PhoneNumber, in db: Database) throws -> FirstLook {
        let row = try db.row(sql: SharedSQL.firstLook, arguments: [messageSID.rawValue, phone.e164])!
        // A state this version cannot read starts the conversation over rather than failing the message.
        let state = (row[2] as Data?).flatMap(ConversationState.init(storedForm:)) ?? .new
        return FirstLook(seenAt: row[0], storedReply: row[1], state: state, isOptedOut: row[3], codeDeliveryFailed: row[4])
    }

    static func context(
        for phone: PhoneNumber, first: FirstLook, mentioned: [PolicyNumber], now: Date, in db: Database
    ) throws -> MessageContext {
        var numbers = mentioned
        if let policy = first.state.policy { numbers.append(policy) }
        let policies = try policies(numbered: numbers, in: db)
        let dayAgo = now.addingTimeInterval(-24 * 3600).unixMilliseconds
        let lockouts = try db.rows(sql: SharedSQL.recentLockouts, arguments: [phone.e164, dayAgo]).compactMap { row -> Lockout? in
            guard let policy = PolicyNumber(row[0] as String) else { return nil }
            return Lockout(policy: policy, lockedAt: Date(unixMilliseconds: row[1]), until: Date(unixMilliseconds: row[2]))
        }
        let hourAgo = now.addingTimeInterval(-3600).unixMilliseconds
        var context = MessageContext(
            isOptedOut: first.isOptedOut, policies: policies, lockouts: lockouts, codeDeliveryFailed: first.codeDeliveryFailed)
        // The same queries for every number mentioned, whether or not its policy exists.
        for number in Set(numbers) {
            let phoneOnFile = policies[number]?.phone.e164 ?? SharedSQL.noPhone
            context.codesToPhoneOnFileLastHour[number] = try db.value(
                Int.self, sql: SharedSQL.codesToDestination, arguments: [phoneOnFile, hourAgo])
            context.codesRequestedLastHour[number] = try db.value(
                Int.self, sql: SharedSQL.codesRequested, arguments: [phone.e164, number.canonical, hourAgo])
            context.failedAttempts[number] = try db.value(
                Int.self, sql: SharedSQL.failedAttempts, arguments: [phone.e164, number.canonical])
        }
        context.policiesRequestedToday = Set(
            try db.rows(sql: SharedSQL.policiesRequested, arguments: [phone.e164, dayAgo]).compactMap { PolicyNumber($0[0] as String) })
        return context
    }

    /// Saves the state, or forgets the conversation when it is back to `.new`.
    static func save(_ state: ConversationState, of phone: PhoneNumber, at now: Date, in db: Database) throws {
        guard state != .new else {
            try db.run(sql: "DELETE FROM conversations WHERE phone = ?", arguments: [phone.e164])
            return
        }
        try db.run(
            sql: """
                INSERT INTO conversations (phone, state, updated_at, policy_number) VALUES (?, ?, ?, ?)
                ON CONFLICT (phone) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, policy_number = excluded.policy_number
                """,
            arguments: [phone.e164, state.storedForm, now.unixMilliseconds, state.policy?.canonical])
    }

    static func apply(_ decision: InboundDecision, requester: PhoneNumber, at now: Date, in db: Database) throws {
        for statement in SharedSQL.statements(storing: decision, requester: requester, at: now) {
            try db.run(statement)
        }
    }
}
