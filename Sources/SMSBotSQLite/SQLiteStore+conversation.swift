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
        for phone: PhoneNumber, first: FirstLook, subjects: [CodeSubject], now: Date, in db: Database
    ) throws -> MessageContext {
        var subjects = subjects
        if let own = first.state.subject(of: phone) { subjects.append(own) }
        // Every policy on file for the number, when the message or the state is about the number itself.
        let onFile =
            subjects.contains(.phoneOnFile(phone))
            ? try db.rows(sql: SharedSQL.policiesOnFile, arguments: [phone.e164]).compactMap { PolicyNumber($0[0] as String) } : []
        let policies = try policies(numbered: subjects.compactMap(\.policy) + onFile, in: db)
        let dayAgo = now.addingTimeInterval(-24 * 3600).unixMilliseconds
        let lockouts = try db.rows(sql: SharedSQL.recentLockouts, arguments: [phone.e164, dayAgo]).compactMap { row -> Lockout? in
            guard let subject = CodeSubject(storedKey: row[0]) else { return nil }
            return Lockout(subject: subject, lockedAt: Date(unixMilliseconds: row[1]), until: Date(unixMilliseconds: row[2]))
        }
        let hourAgo = now.addingTimeInterval(-3600).unixMilliseconds
        var context = MessageContext(
            isOptedOut: first.isOptedOut, policies: policies, lockouts: lockouts, codeDeliveryFailed: first.codeDeliveryFailed)
        // The same queries for every subject, whether or not its policy exists or its phone is on file.
        for subject in Set(subjects) {
            let destination =
                switch subject {
                case .policy(let number): policies[number]?.phone.e164 ?? SharedSQL.noPhone
                case .phoneOnFile(let phone): phone.e164
                }
            context.codesToDestinationLastHour[subject] = try db.value(
                Int.self, sql: SharedSQL.codesToDestination, arguments: [destination, hourAgo])
            context.codesRequestedLastHour[subject] = try db.value(
                Int.self, sql: SharedSQL.codesRequested, arguments: [phone.e164, subject.storedKey, hourAgo])
            context.failedAttempts[subject] = try db.value(
                Int.self, sql: SharedSQL.failedAttempts, arguments: [phone.e164, subject.storedKey])
        }
        context.subjectsRequestedToday = Set(
            try db.rows(sql: SharedSQL.subjectsRequested, arguments: [phone.e164, dayAgo]).compactMap { CodeSubject(storedKey: $0[0]) })
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
            arguments: [phone.e164, state.storedForm, now.unixMilliseconds, state.subject(of: phone)?.storedKey])
    }

    static func apply(_ decision: InboundDecision, requester: PhoneNumber, at now: Date, in db: Database) throws {
        for statement in SharedSQL.statements(storing: decision, requester: requester, at: now) {
            try db.run(statement)
        }
    }
}
