import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SMSBotCore
import SMSBotStorage

/// Renders the portal's pages from `Templates/portal/` (every value HTML-escaped by Mustache).
struct PortalPages: Sendable {
    let templates: ReplyTemplates
    let businessName: String

    /// The templates the portal renders.
    static let templateNames: Set<String> = [
        "portal_layout", "portal_login", "portal_overview", "portal_policies", "portal_policy", "portal_policy_form", "portal_audit",
        "portal_outbox",
    ]

    func login(error: String?, status: HTTPResponse.Status = .ok) -> Response {
        render("portal_login", title: "Sign in", session: nil, ["error": error as Any], status: status)
    }

    func overview(_ figures: PortalOverview, since: Date, session: PortalSession, notice: String?) -> Response {
        render(
            "portal_overview", title: "Overview", session: session,
            [
                "inbound": figures.inboundMessages, "codesSent": figures.codesSent, "verifications": figures.verifications,
                "lockouts": figures.lockouts, "failedDeliveries": figures.failedDeliveries, "outboxDepth": figures.outboxDepth,
                "since": Self.time(since), "notice": notice as Any,
            ])
    }

    func policies(_ page: Page<PolicySummary>, query: String, session: PortalSession) -> Response {
        let rows = page.items.map { policy -> [String: Any] in
            [
                "number": policy.number.canonical, "displayNumber": policy.displayNumber, "holderName": policy.holderName,
                "phone": policy.phoneMasked, "product": policy.product, "status": policy.status,
            ]
        }
        return render(
            "portal_policies", title: "Policies", session: session,
            ["policies": rows, "q": query, "nextCursor": page.nextCursor as Any])
    }

    func policyForm(_ form: PortalPolicyForm, editing: PolicyNumber?, session: PortalSession, status: HTTPResponse.Status = .ok) -> Response {
        render(
            "portal_policy_form", title: editing == nil ? "Register a policyholder" : "Edit policy", session: session,
            [
                "heading": editing.map { "Edit policy \($0.canonical)" } ?? "Register a policyholder",
                "action": editing.map { "/portal/policies/\($0.canonical)" } ?? "/portal/policies",
                "submit": editing == nil ? "Register and send the welcome SMS" : "Save", "hasErrors": !form.errors.isEmpty,
                "fields": form.rendered(policyNumberReadonly: editing != nil),
            ], status: status)
    }

    func policy(
        _ policy: Policy, conversation: ConversationSummary?, now: Date, idleTimeout: TimeInterval, session: PortalSession, notice: String?
    ) -> Response {
        let details: [(String, String?)] = [
            ("Holder", policy.holderName), ("Phone on file", policy.phone.e164), ("Product", policy.product), ("Status", policy.status),
            ("Effective", policy.effectiveDate), ("Expires", policy.expiryDate), ("Premium", "\(policy.premium) \(policy.currency) \(policy.premiumFrequency)"),
            ("Next payment due", policy.nextPaymentDue), ("Balance due", policy.balanceDue), ("Coverage", policy.coverage),
            ("Deductible", policy.deductible),
        ]
        var values: [String: Any] = [
            "number": policy.number.canonical, "displayNumber": policy.displayNumber, "phone": policy.phone.e164,
            "phoneParameter": "%2B" + policy.phone.e164.dropFirst(), "notice": notice as Any,
            "details": details.compactMap { label, value in value.map { ["label": label, "value": $0] } },
            "claims": policy.claims.map {
                ["claimNumber": $0.claimNumber, "status": $0.status, "filedOn": $0.filedOn, "amount": $0.amount ?? "", "description": $0.description ?? ""]
            },
        ]
        if let conversation {
            values["conversation"] = [
                "optedOut": conversation.optedOut ? "yes" : "no",
                "verifiedPolicy": Self.verified(conversation.verifiedSession(at: now, idleTimeout: idleTimeout)),
                "pendingPolicy": conversation.forgotCodePending(at: now)
                    ? "every policy on file (FORGOT)" : conversation.pendingPolicy(at: now)?.canonical ?? "nothing",
                "lastMessageAt": conversation.lastMessageAt.map(Self.time) ?? "never",
                "locks": conversation.locks.map { ["policy": $0.policy, "until": Self.time($0.until)] },
            ]
        }
        return render("portal_policy", title: "Policy \(policy.displayNumber)", session: session, values)
    }

    /// What a verified session holds, as the policy page says it.
    private static func verified(_ session: VerifiedSession?) -> String {
        guard let session else { return "nothing" }
        guard session.byPhone else { return session.policy?.canonical ?? "nothing" }
        return "every policy on file (FORGOT)" + (session.policy.map { ", answering for \($0.canonical)" } ?? "")
    }

    func audit(_ page: Page<AuditRecord>, session: PortalSession) -> Response {
        let events = page.items.map { event -> [String: Any] in
            [
                "occurredAt": Self.time(event.occurredAt), "event": event.event, "phone": event.phoneMasked,
                "policyNumber": event.policyNumber ?? "", "actor": event.actor ?? "", "detail": event.detail ?? "",
            ]
        }
        return render("portal_audit", title: "Audit", session: session, ["events": events, "nextCursor": page.nextCursor as Any])
    }

    func outbox(_ page: Page<OutboxRecord>, session: PortalSession) -> Response {
        let messages = page.items.map { sms -> [String: Any] in
            [
                "id": sms.id, "kind": sms.kind, "to": sms.toMasked, "status": sms.status, "attempts": sms.attempts,
                "twilioSID": sms.twilioSID ?? "", "errorCode": sms.errorCode.map(String.init) ?? "", "deliveryStatus": sms.deliveryStatus ?? "",
                "updatedAt": Self.time(sms.updatedAt),
            ]
        }
        return render("portal_outbox", title: "Outbox", session: session, ["messages": messages, "nextCursor": page.nextCursor as Any])
    }

    func notFound() -> Response {
        plain(.notFound, "Not found.")
    }

    func forbidden() -> Response {
        plain(.forbidden, "This form has expired or did not come from this portal; nothing was changed. Go back, reload the page and try again.")
    }

    func unavailable() -> Response {
        plain(.serviceUnavailable, "The portal cannot reach its database right now; try again shortly.")
    }

    private func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func render(
        _ template: String, title: String, session: PortalSession?, _ values: [String: Any], status: HTTPResponse.Status = .ok
    ) -> Response {
        // An absent value (`nil` passed as Any) must leave its section empty, not render "nil".
        var all = values.filter { !Self.isAbsent($0.value) }
        all["title"] = title
        all["businessName"] = businessName
        if let session {
            all["signedIn"] = true
            all["csrf"] = session.csrfToken
            all["keyName"] = session.keyName
        }
        let html = templates.render(template, all)
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private static func isAbsent(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty
    }

    /// A time as the portal shows it: `2026-12-01 10:05` (UTC).
    static func time(_ date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }
}
