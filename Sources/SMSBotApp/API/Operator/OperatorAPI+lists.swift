import Foundation
import HTTPTypes
import SMSBotAPI
import SMSBotCore
import SMSBotStorage

extension OperatorAPI {
    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let query = input.query
        var phone: PhoneNumber?
        if let text = query.phone {
            switch Self.phone(text, field: "phone") {
            case .success(let parsed): phone = parsed
            case .failure(let error): return .badRequest(.init(body: .json(error.body)))
            }
        }
        let policy = query.policyNumber.map { PolicyNumber($0) }
        if case .some(nil) = policy {
            return .badRequest(.init(body: .json(APIError.badRequest("invalid_policy_number", "policyNumber is not a policy number.").body)))
        }
        switch (Self.pageSize(query.limit), Self.idCursor(query.cursor)) {
        case (.failure(let error), _), (_, .failure(let error)):
            return .badRequest(.init(body: .json(error.body)))
        case (.success(let limit), .success(let cursor)):
            let page = try await storing {
                try await store.auditEvents(phone: phone, policy: policy ?? nil, limit: limit, before: cursor)
            }
            let events = page.items.map { event in
                Components.Schemas.AuditEvent(
                    id: String(event.id), occurredAt: event.occurredAt, event: event.event, phone: event.phoneMasked,
                    policyNumber: event.policyNumber, detail: event.detail, actor: event.actor)
            }
            return .ok(.init(body: .json(.init(events: events, nextCursor: page.nextCursor))))
        }
    }

    func listOutbox(_ input: Operations.ListOutbox.Input) async throws -> Operations.ListOutbox.Output {
        switch (Self.pageSize(input.query.limit), Self.idCursor(input.query.cursor)) {
        case (.failure(let error), _), (_, .failure(let error)):
            return .badRequest(.init(body: .json(error.body)))
        case (.success(let limit), .success(let cursor)):
            let page = try await storing {
                try await store.outboxMessages(status: input.query.status?.rawValue, limit: limit, before: cursor)
            }
            let messages = page.items.map { sms in
                Components.Schemas.OutboxMessage(
                    id: String(sms.id), kind: .init(rawValue: sms.kind) ?? .text, to: sms.toMasked, status: .init(rawValue: sms.status) ?? .pending,
                    attempts: sms.attempts, twilioSid: sms.twilioSID, errorCode: sms.errorCode, deliveryStatus: sms.deliveryStatus,
                    createdAt: sms.createdAt, updatedAt: sms.updatedAt)
            }
            return .ok(.init(body: .json(.init(messages: messages, nextCursor: page.nextCursor))))
        }
    }

    func listOptOuts(_ input: Operations.ListOptOuts.Input) async throws -> Operations.ListOptOuts.Output {
        let offset = input.query.cursor.map { $0.count <= Self.maxCursorLength ? Int($0) : nil }
        switch (Self.pageSize(input.query.limit), offset) {
        case (.failure(let error), _):
            return .badRequest(.init(body: .json(error.body)))
        case (_, .some(nil)), (_, .some(.some(..<0))):
            return .badRequest(.init(body: .json(APIError.badRequest("invalid_cursor", "cursor is not one this API gave.").body)))
        case (.success(let limit), _):
            let page = try await storing { try await store.optOuts(limit: limit, offset: (offset ?? nil) ?? 0) }
            let optOuts = page.items.map { Components.Schemas.OptOut(phone: $0.phoneMasked, since: $0.since) }
            return .ok(.init(body: .json(.init(optOuts: optOuts, nextCursor: page.nextCursor))))
        }
    }

    /// A cursor that is a row id this API gave.
    private static func idCursor(_ text: String?) -> Result<Int64?, APIError> {
        guard let text else { return .success(nil) }
        guard let id = Int64(text), id > 0 else { return .failure(.badRequest("invalid_cursor", "cursor is not one this API gave.")) }
        return .success(id)
    }
}
