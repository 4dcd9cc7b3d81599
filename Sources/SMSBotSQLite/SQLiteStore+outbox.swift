public import Foundation
import GRDB
import SMSBotCore
public import SMSBotStorage
public import TwilioKit

extension SQLiteStore {
    public func claimDueOutbound(at now: Date, limit: Int, lease: TimeInterval) async throws -> [OutboxMessage] {
        try await groupCommit.write { db in
            let time = now.unixMilliseconds
            try db.run(SharedSQL.droppingTwiceAbandonedClaims(at: now))
            let rows = try db.rows(
                sql: """
                    SELECT outbox.*, EXISTS (SELECT 1 FROM opt_outs WHERE opt_outs.phone = outbox.to_phone) AS opted_out
                    FROM outbox WHERE \(SharedSQL.claimableOutbox)
                    ORDER BY next_attempt_at, id LIMIT $2
                    """,
                arguments: [time, limit])
            return try rows.compactMap { row -> OutboxMessage? in
                let id: Int64 = row["id"]
                // Taken over from a worker that never finished: that send may have reached Twilio.
                let abandoned = (row["status"] as String) == "sending"
                try db.run(
                    sql: """
                        UPDATE outbox SET status = 'sending', claimed_until = ?, updated_at = ?,
                            ambiguous_failures = ambiguous_failures + ? WHERE id = ?
                        """,
                    arguments: [now.addingTimeInterval(lease).unixMilliseconds, time, abandoned ? 1 : 0, id])
                guard let kind = OutboundSMS.Kind(rawValue: row["kind"]), let to = PhoneNumber(e164: row["to_phone"]) else {
                    return nil
                }
                let notAfter = (row["not_after"] as Int64?).map(Date.init(unixMilliseconds:))
                let sms = OutboundSMS(kind: kind, to: to, body: row["body"] ?? "", notAfter: notAfter)
                return OutboxMessage(
                    id: id, sms: sms, attempts: row["attempts"], ambiguousFailures: (row["ambiguous_failures"] as Int) + (abandoned ? 1 : 0),
                    recipientOptedOut: row["opted_out"])
            }
        }
    }

    public func completeOutbound(id: Int64, result: OutboxResult, at now: Date) async throws {
        try await groupCommit.write { db in
            let time = now.unixMilliseconds
            switch result {
            case .accepted(let providerID):
                // An OTP's text is erased once the provider has it.
                try db.run(
                    sql: """
                        UPDATE outbox SET status = 'sent', twilio_sid = ?, attempts = attempts + 1, claimed_until = NULL,
                            body = CASE WHEN kind = 'otp' THEN NULL ELSE body END, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [providerID, time, id])
            case .dropped(let reason, let code, let optOut, let deliveryFailed):
                try db.run(
                    sql: """
                        UPDATE outbox SET status = 'dropped', last_error = ?, error_code = ?, claimed_until = NULL,
                            delivery_status = CASE WHEN ? THEN 'failed' ELSE delivery_status END,
                            body = CASE WHEN kind = 'otp' THEN NULL ELSE body END, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [reason, code, deliveryFailed, time, id])
                if optOut {
                    try db.run(
                        sql: """
                            INSERT INTO opt_outs (phone, opted_out_at) SELECT to_phone, ? FROM outbox WHERE id = ?
                            ON CONFLICT (phone) DO NOTHING
                            """,
                        arguments: [time, id])
                }
            case .retry(let at, let code, let ambiguous):
                try db.run(
                    sql: """
                        UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_attempt_at = ?, error_code = ?,
                            ambiguous_failures = ambiguous_failures + ?, claimed_until = NULL, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [at.unixMilliseconds, code, ambiguous ? 1 : 0, time, id])
            }
        }
    }

    public func outboxDepth() async throws -> Int {
        try await writer.read { db in
            try db.value(Int.self, sql: "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')") ?? 0
        }
    }

    public func recordDeliveryStatus(providerID: String, status: DeliveryStatus, at now: Date) async throws -> Bool {
        try await groupCommit.write { db in
            guard let row = try db.row(sql: "SELECT id, delivery_status FROM outbox WHERE twilio_sid = ?", arguments: [providerID])
            else { return false }
            let current = (row["delivery_status"] as String?).map(DeliveryStatus.init(rawValue:))
            guard status.supersedes(current) else { return true }
            try db.run(
                sql: "UPDATE outbox SET delivery_status = ?, updated_at = ? WHERE id = ?",
                arguments: [status.rawValue, now.unixMilliseconds, row["id"] as Int64])
            return true
        }
    }
}
