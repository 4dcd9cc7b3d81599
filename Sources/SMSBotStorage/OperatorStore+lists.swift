public import Foundation
public import SMSBotCore

extension OperatorStore {
    /// Audit events, newest first, before the cursor (an event id), for a phone (matched by
    /// its masked form, as stored) and a policy when given.
    public func auditEvents(phone: PhoneNumber?, policy: PolicyNumber?, limit: Int, before cursor: Int64?) async throws -> Page<AuditRecord> {
        let rows = try await read(
            StoreStatement(
                """
                SELECT id, occurred_at, event, phone_masked, policy_number, detail, actor FROM audit_events
                WHERE ($1 = '' OR phone_masked = $1) AND ($2 = '' OR policy_number = $2) AND ($3 = 0 OR id < $3)
                ORDER BY id DESC LIMIT $4
                """,
                [.text(phone?.masked ?? ""), .text(policy?.canonical ?? ""), .integer(cursor ?? 0), .integer(Int64(limit + 1))]))[0]
        let items = rows.prefix(limit).map { row in
            AuditRecord(
                id: row[0].integer ?? 0, occurredAt: Date(unixMilliseconds: row[1].integer ?? 0), event: row[2].text ?? "",
                phoneMasked: row[3].text ?? "", policyNumber: row[4].text, detail: row[5].text, actor: row[6].text)
        }
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
    }

    /// Outbound SMS, newest first, before the cursor (an id), of one status when given; never a body.
    public func outboxMessages(status: String?, limit: Int, before cursor: Int64?) async throws -> Page<OutboxRecord> {
        let rows = try await read(
            StoreStatement(
                """
                SELECT id, kind, to_phone, status, attempts, twilio_sid, error_code, delivery_status, created_at, updated_at FROM outbox
                WHERE ($1 = '' OR status = $1) AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3
                """, [.text(status ?? ""), .integer(cursor ?? 0), .integer(Int64(limit + 1))]))[0]
        let items = rows.prefix(limit).map { row in
            OutboxRecord(
                id: row[0].integer ?? 0, kind: row[1].text ?? "", toMasked: PhoneNumber.mask(row[2].text ?? ""), status: row[3].text ?? "",
                attempts: Int(row[4].integer ?? 0), twilioSID: row[5].text, errorCode: row[6].integer.map(Int.init),
                deliveryStatus: row[7].text, createdAt: Date(unixMilliseconds: row[8].integer ?? 0),
                updatedAt: Date(unixMilliseconds: row[9].integer ?? 0))
        }
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
    }

    /// Opted-out numbers, masked, most recent first, from `offset`.
    public func optOuts(limit: Int, offset: Int) async throws -> Page<OptOutRecord> {
        let rows = try await read(
            StoreStatement(
                "SELECT phone, opted_out_at FROM opt_outs ORDER BY opted_out_at DESC, phone LIMIT $1 OFFSET $2",
                [.integer(Int64(limit + 1)), .integer(Int64(offset))]))[0]
        let items = rows.prefix(limit).map { row in
            OptOutRecord(phoneMasked: PhoneNumber.mask(row[0].text ?? ""), since: Date(unixMilliseconds: row[1].integer ?? 0))
        }
        return Page(items: Array(items), nextCursor: rows.count > limit ? String(offset + limit) : nil)
    }
}
