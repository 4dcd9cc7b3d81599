import Foundation
import Logging
import PostgresNIO
import SMSBotCore
import SMSBotStorage

/// Inbound messages: read, decide, write if unchanged, for a batch of numbers at once
/// (``InboundBatcher``); or, for one message, lock, read, decide, write.
extension PostgresStore {
    /// A message as ``ReadInbound`` takes it.
    struct InboundRequest: Sendable {
        var messageSID: MessageSID
        var phone: PhoneNumber
        var subjects: [CodeSubject]
        var now: Date
    }

    /// What ``ReadInbound`` found for one message.
    struct InboundFacts {
        /// When the SID was first received, if it was; its stored replies.
        var seenAt: Int64?
        var storedReply: String?
        var storedState: Data?
        var context: MessageContext
        /// The conversation row's version (`xmin`), `nil` when there is no row.
        var version: String?
        /// The subjects read: policies that exist and those that do not, phones.
        var subjectsRead: Set<CodeSubject> = []

        /// The texting number.
        var phone: PhoneNumber
        /// The stored state; `nil` for none, or one this version cannot read.
        var state: ConversationState? { storedState.flatMap(ConversationState.init(storedForm:)) }

        /// Whether the subject the state is about was not read: a row written before
        /// `conversations.policy_number` existed lacks it, and a second read must add it.
        var lacksOwnSubject: Bool {
            guard let own = state?.subject(of: phone) else { return false }
            return !subjectsRead.contains(own) && seenAt == nil
        }
    }

    /// Reads the facts for `messages` (of different numbers), in their order.
    static func readInbound(_ messages: [InboundRequest], connection: PostgresConnection, logger: Logger) async throws -> [InboundFacts] {
        var facts: [InboundFacts?] = Array(repeating: nil, count: messages.count)
        for try await row in try await connection.execute(ReadInbound(messages), logger: logger) {
            let index = Int(try row[0].decode(Int64.self)) - 1
            guard facts.indices.contains(index) else { throw PostgresStoreError.noRow }
            if facts[index] == nil { facts[index] = try firstColumns(of: row, phone: messages[index].phone) }
            guard let subject = try row[10].decode(String?.self).flatMap(CodeSubject.init(storedKey:)) else { continue }
            facts[index]!.subjectsRead.insert(subject)
            try addSubjectColumns(of: row, for: subject, to: &facts[index]!.context)
        }
        return try facts.map { facts in
            guard let facts else { throw PostgresStoreError.noRow }
            return facts
        }
    }

    /// Reads the facts for one message, and again with the conversation's own policy when the
    /// row lacks it (``InboundFacts/lacksOwnSubject``).
    static func readInbound(_ message: InboundRequest, connection: PostgresConnection, logger: Logger) async throws -> InboundFacts {
        let facts = try await readInbound([message], connection: connection, logger: logger)[0]
        guard facts.lacksOwnSubject, let own = facts.state?.subject(of: message.phone) else { return facts }
        var again = message
        again.subjects.append(own)
        return try await readInbound([again], connection: connection, logger: logger)[0]
    }

    /// The columns that are the same on every row: the first look, lockouts and requested subjects.
    private static func firstColumns(of row: PostgresRandomAccessRow, phone: PhoneNumber) throws -> InboundFacts {
        var lockouts: [Lockout] = []
        for (key, (lockedAt, until)) in zip(
            try row[6].decode([String].self), zip(try row[7].decode([Int64].self), try row[8].decode([Int64].self)))
        {
            guard let subject = CodeSubject(storedKey: key) else { continue }
            lockouts.append(Lockout(subject: subject, lockedAt: Date(unixMilliseconds: lockedAt), until: Date(unixMilliseconds: until)))
        }
        var context = MessageContext(
            isOptedOut: try row[4].decode(Bool.self), policies: [:], lockouts: lockouts, codeDeliveryFailed: try row[5].decode(Bool.self))
        context.subjectsRequestedToday = Set(try row[9].decode([String].self).compactMap(CodeSubject.init(storedKey:)))
        return InboundFacts(
            seenAt: try row[1].decode(Int64?.self), storedReply: try row[2].decode(String?.self), storedState: try row[3].decode(Data?.self),
            context: context, version: try row[30].decode(String?.self), phone: phone)
    }

    /// A subject's columns: its counts, and the policy with its claims if it is one that exists.
    private static func addSubjectColumns(of row: PostgresRandomAccessRow, for subject: CodeSubject, to context: inout MessageContext) throws {
        context.codesToDestinationLastHour[subject] = Int(try row[11].decode(Int64.self))
        context.codesRequestedLastHour[subject] = Int(try row[12].decode(Int64.self))
        if let failures = try row[13].decode(Int64?.self) { context.failedAttempts[subject] = Int(failures) }
        guard let number = subject.policy, try row[14].decode(String?.self) != nil,
            let phone = PhoneNumber(e164: try row[17].decode(String.self))
        else { return }
        var claims: [Claim] = []
        if let json = try row[29].decode(String?.self) {
            claims = try JSONDecoder().decode([StoredClaim].self, from: Data(json.utf8)).map(\.claim)
        }
        context.policies[number] = Policy(
            number: number, displayNumber: try row[15].decode(String.self), holderName: try row[16].decode(String.self), phone: phone,
            product: try row[18].decode(String.self), status: try row[19].decode(String.self),
            effectiveDate: try row[20].decode(String.self), expiryDate: try row[21].decode(String.self),
            premium: try row[22].decode(String.self), currency: try row[23].decode(String.self),
            premiumFrequency: try row[24].decode(String.self), nextPaymentDue: try row[25].decode(String?.self),
            balanceDue: try row[26].decode(String.self), coverage: try row[27].decode(String.self),
            deductible: try row[28].decode(String?.self), claims: claims)
    }

    /// A claim as ``ReadInbound`` returns it (JSON).
    private struct StoredClaim: Decodable {
        var claimNumber: String
        var status: String
        var filedOn: String
        var amount: String?
        var description: String?

        var claim: Claim { Claim(claimNumber: claimNumber, status: status, filedOn: filedOn, amount: amount, description: description) }
    }

    /// Stores `messages` (of different numbers), each only if its conversation row is still at the
    /// version read; the SIDs of those stored. The stream is read to its end.
    static func store(_ messages: [StoreDecision.Message], connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        var stored: Set<String> = []
        for try await messageSID in try await connection.execute(StoreDecision(messages), logger: logger) { stored.insert(messageSID) }
        return stored
    }

    /// The first column of `query`'s one row (0 without a row); the stream is read to its end.
    static func count(_ query: PostgresQuery, connection: PostgresConnection, logger: Logger) async throws -> Int {
        var count = 0
        for try await value in try await connection.query(query, logger: logger).decode(Int64.self) {
            count = Int(value)
        }
        return count
    }
}

/// A query that always yields a row yielded none.
enum PostgresStoreError: Error {
    case noRow
}
