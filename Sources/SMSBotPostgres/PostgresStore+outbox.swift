public import Foundation
import Logging
import PostgresNIO
import SMSBotCore
public import SMSBotStorage
public import TwilioKit

extension PostgresStore {
    public func claimDueOutbound(at now: Date, limit: Int, lease: TimeInterval) async throws -> [OutboxMessage] {
        try await bounded { [self] in
            try await client.query(PostgresQuery(SharedSQL.droppingTwiceAbandonedClaims(at: now)), logger: logger)
            var bindings = PostgresBindings()
            bindings.append(now.unixMilliseconds)
            bindings.append(now.addingTimeInterval(lease).unixMilliseconds)
            bindings.append(Int64(limit))
            let claim = PostgresQuery(unsafeSQL: Self.claimingOutbox, binds: bindings)
            var messages: [OutboxMessage] = []
            for try await (id, kind, to, body, notAfter, attempts, ambiguous, optedOut) in try await client.query(claim, logger: logger).decode(
                (Int64, String, String, String?, Int64?, Int32, Int32, Bool).self)
            {
                guard let kind = OutboundSMS.Kind(rawValue: kind), let to = PhoneNumber(e164: to) else { continue }
                let sms = OutboundSMS(kind: kind, to: to, body: body ?? "", notAfter: notAfter.map(Date.init(unixMilliseconds:)))
                messages.append(
                    OutboxMessage(id: id, sms: sms, attempts: Int(attempts), ambiguousFailures: Int(ambiguous), recipientOptedOut: optedOut))
            }
            return messages.sorted { $0.id < $1.id }
        }
    }

    /// Claims up to $3 claimable SMS at $1 until $2. SKIP LOCKED: instances claiming at the same
    /// moment each get different rows; the claimable condition hands out only the oldest
    /// unfinished SMS of each phone.
    static let claimingOutbox = """
        UPDATE outbox SET status = 'sending', claimed_until = $2, updated_at = $1,
            ambiguous_failures = ambiguous_failures + CASE WHEN status = 'sending' THEN 1 ELSE 0 END
        WHERE id IN (
            SELECT id FROM outbox WHERE \(SharedSQL.claimableOutbox)
            ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, to_phone, body, not_after, attempts, ambiguous_failures,
            EXISTS (SELECT 1 FROM opt_outs WHERE opt_outs.phone = outbox.to_phone)
        """

    /// One statement whatever the result (no transaction around it): a dropped SMS and its
    /// recipient's opt-out are written together by a data-modifying CTE.
    public func completeOutbound(id: Int64, result: OutboxResult, at now: Date) async throws {
        try await bounded { [self] in
            let time = now.unixMilliseconds
            let query: PostgresQuery
            switch result {
            case .accepted(let providerID):
                query = """
                    UPDATE outbox SET status = 'sent', twilio_sid = \(providerID), attempts = attempts + 1, claimed_until = NULL,
                        body = CASE WHEN kind = 'otp' THEN NULL ELSE body END, updated_at = \(time)
                    WHERE id = \(id)
                    """
            case .dropped(let reason, let code, let optOut, let deliveryFailed):
                query = """
                    WITH dropped AS (
                        UPDATE outbox SET status = 'dropped', last_error = \(reason), error_code = \(code), claimed_until = NULL,
                            delivery_status = CASE WHEN \(deliveryFailed) THEN 'failed' ELSE delivery_status END,
                            body = CASE WHEN kind = 'otp' THEN NULL ELSE body END, updated_at = \(time)
                        WHERE id = \(id)
                        RETURNING to_phone)
                    INSERT INTO opt_outs (phone, opted_out_at) SELECT to_phone, \(time) FROM dropped WHERE \(optOut)
                    ON CONFLICT (phone) DO NOTHING
                    """
            case .retry(let at, let code, let ambiguous):
                query = """
                    UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_attempt_at = \(at.unixMilliseconds),
                        error_code = \(code), ambiguous_failures = ambiguous_failures + \(ambiguous ? 1 : 0),
                        claimed_until = NULL, updated_at = \(time)
                    WHERE id = \(id)
                    """
            }
            try await client.query(query, logger: logger)
        }
    }

    public func outboxDepth() async throws -> Int {
        try await bounded { [self] in
            var depth = 0
            for try await count in try await client.query(
                "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')", logger: logger
            ).decode(Int64.self) {
                depth = Int(count)
            }
            return depth
        }
    }

    public func recordDeliveryStatus(providerID: String, status: DeliveryStatus, at now: Date) async throws -> Bool {
        try await bounded { [self] in
            let logger = logger
            return try await client.withTransaction(logger: logger) { connection in
                var found: (Int64, String?)?
                for try await row in try await connection.query(
                    "SELECT id, delivery_status FROM outbox WHERE twilio_sid = \(providerID) FOR UPDATE", logger: logger
                ).decode((Int64, String?).self) {
                    found = row
                }
                guard let (id, current) = found else { return false }
                guard status.supersedes(current.map(DeliveryStatus.init(rawValue:))) else { return true }
                try await connection.query(
                    "UPDATE outbox SET delivery_status = \(status.rawValue), updated_at = \(now.unixMilliseconds) WHERE id = \(id)",
                    logger: logger)
                return true
            }
        }
    }

    public func purge(at now: Date) async throws -> Int {
        try await bounded { [self] in
            let logger = logger
            var purged = 0
            for statement in SharedSQL.purge(at: now) {
                let counted = PostgresQuery(countingRowsChangedBy: statement)
                purged += try await client.withConnection { connection in
                    try await Self.count(counted, connection: connection, logger: logger)
                }
            }
            return purged
        }
    }
}
