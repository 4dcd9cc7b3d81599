import Foundation
import Logging
import PostgresNIO
import SMSBotCore
import SMSBotStorage

/// An inbound message: read, decide, write if unchanged; or lock, read, decide, write
/// (``StoreDecision``).
extension PostgresStore {
    /// What ``ReadInbound`` found.
    struct InboundFacts {
        /// When the SID was first received, if it was; its stored replies.
        var seenAt: Int64?
        var storedReply: String?
        var storedState: Data?
        var context: MessageContext
        /// The conversation row's version (`xmin`), `nil` when there is no row.
        var version: String?

        /// The stored state; `nil` for none, or one this version cannot read.
        var state: ConversationState? { storedState.flatMap(ConversationState.init(storedForm:)) }
    }

    /// Reads the facts for a message from `phone` mentioning `mentioned`. The conversation's own
    /// policy comes from `conversations.policy_number`; a row written before that column existed
    /// lacks it, and then a second read adds the policy its state names.
    static func readInbound(
        _ messageSID: MessageSID, from phone: PhoneNumber, mentioned: [PolicyNumber], at now: Date,
        connection: PostgresConnection, logger: Logger
    ) async throws -> InboundFacts {
        let statement = ReadInbound(
            messageSID: messageSID.rawValue, phone: phone.e164, dayAgo: now.addingTimeInterval(-24 * 3600).unixMilliseconds,
            hourAgo: now.addingTimeInterval(-3600).unixMilliseconds, numbers: Array(Set(mentioned.map(\.canonical))))
        var facts: InboundFacts?
        var numbersRead: Set<PolicyNumber> = []
        for try await row in try await connection.execute(statement, logger: logger) {
            if facts == nil { facts = try firstColumns(of: row) }
            guard let number = try row[9].decode(String?.self).flatMap(PolicyNumber.init) else { continue }
            numbersRead.insert(number)
            try addNumberColumns(of: row, for: number, to: &facts!.context)
        }
        guard let facts else { throw PostgresStoreError.noRow }
        if let own = facts.state?.policy, !numbersRead.contains(own), facts.seenAt == nil {
            return try await readInbound(messageSID, from: phone, mentioned: mentioned + [own], at: now, connection: connection, logger: logger)
        }
        return facts
    }

    /// The columns that are the same on every row: the first look, lockouts and requested policies.
    private static func firstColumns(of row: PostgresRandomAccessRow) throws -> InboundFacts {
        var lockouts: [Lockout] = []
        for (policy, (lockedAt, until)) in zip(
            try row[5].decode([String].self), zip(try row[6].decode([Int64].self), try row[7].decode([Int64].self)))
        {
            guard let number = PolicyNumber(policy) else { continue }
            lockouts.append(Lockout(policy: number, lockedAt: Date(unixMilliseconds: lockedAt), until: Date(unixMilliseconds: until)))
        }
        var context = MessageContext(
            isOptedOut: try row[3].decode(Bool.self), policies: [:], lockouts: lockouts, codeDeliveryFailed: try row[4].decode(Bool.self))
        context.policiesRequestedToday = Set(try row[8].decode([String].self).compactMap(PolicyNumber.init))
        return InboundFacts(
            seenAt: try row[0].decode(Int64?.self), storedReply: try row[1].decode(String?.self), storedState: try row[2].decode(Data?.self),
            context: context, version: try row[29].decode(String?.self))
    }

    /// A policy number's columns: its counts, and the policy with its claims if it exists.
    private static func addNumberColumns(of row: PostgresRandomAccessRow, for number: PolicyNumber, to context: inout MessageContext) throws {
        context.codesToPhoneOnFileLastHour[number] = Int(try row[10].decode(Int64.self))
        context.codesRequestedLastHour[number] = Int(try row[11].decode(Int64.self))
        if let failures = try row[12].decode(Int64?.self) { context.failedAttempts[number] = Int(failures) }
        guard try row[13].decode(String?.self) != nil, let phone = PhoneNumber(e164: try row[16].decode(String.self)) else { return }
        var claims: [Claim] = []
        if let json = try row[28].decode(String?.self) {
            claims = try JSONDecoder().decode([StoredClaim].self, from: Data(json.utf8)).map(\.claim)
        }
        context.policies[number] = Policy(
            number: number, displayNumber: try row[14].decode(String.self), holderName: try row[15].decode(String.self), phone: phone,
            product: try row[17].decode(String.self), status: try row[18].decode(String.self),
            effectiveDate: try row[19].decode(String.self), expiryDate: try row[20].decode(String.self),
            premium: try row[21].decode(String.self), currency: try row[22].decode(String.self),
            premiumFrequency: try row[23].decode(String.self), nextPaymentDue: try row[24].decode(String?.self),
            balanceDue: try row[25].decode(String.self), coverage: try row[26].decode(String.self),
            deductible: try row[27].decode(String?.self), claims: claims)
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

    /// Stores `decision` if the conversation row is still at `version`; whether it was.
    static func store(
        _ decision: InboundDecision, of messageSID: MessageSID, from requester: PhoneNumber, at now: Date, ifAt version: String,
        connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        // Each returns a row when it stored the message; the stream is read to its end.
        var stored = false
        if let reply = StoreReply(decision, requester: requester, messageSID: messageSID, at: now, version: version) {
            for try await _ in try await connection.execute(reply, logger: logger) { stored = true }
        } else {
            let statement = StoreDecision(decision, requester: requester, messageSID: messageSID, at: now, version: version)
            for try await _ in try await connection.execute(statement, logger: logger) { stored = true }
        }
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
