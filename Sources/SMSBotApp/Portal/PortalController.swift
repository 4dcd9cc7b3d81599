import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SMSBotCore
import SMSBotResources
import SMSBotStorage
import TwilioKit

/// The operator portal (SPEC §10): server-rendered pages on the operator API's rules, for a
/// session signed in with an operator key. Every changing form carries the session's CSRF token.
struct PortalController: Sendable {
    let store: any SMSBotStore
    let access: AccessControl
    let pages: PortalPages
    let operators: OperatorAPI
    /// Whether cookies get `Secure` (the public URL is https).
    let secureCookies: Bool
    /// Whether `admin.token` is configured (its sessions end when it is not).
    let adminTokenConfigured: Bool
    let now: @Sendable () -> Date

    /// The largest form accepted.
    static let maxFormSize = 16 * 1024

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("portal.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: BuiltInResources.portalStylesheet)))
        }
        routes.get("login") { request, context in
            try await answering(context) {
                // The sign-in link `serve --demo` prints carries the key, as a notebook server's does.
                if let key = request.uri.queryParameters["key"] { return try await signIn(String(key), context: context) }
                return pages.login(error: nil)
            }
        }
        routes.post("login") { request, context in
            try await answering(context) {
                guard let form = try await Self.form(request) else { return pages.login(error: "The form could not be read.") }
                return try await signIn(form["key"] ?? "", context: context)
            }
        }
        routes.post("logout") { request, context in
            try await changing(request, context) { _, _ in
                if let id = PortalCookie.id(in: request) { try await store.deletePortalSession(idDigest: PortalCookie.digest(id)) }
                var response = Self.redirect("/portal/login")
                response.headers[.setCookie] = PortalCookie.clearing(secure: secureCookies)
                return response
            }
        }
        routes.get { request, context in
            try await viewing(request, context) { session in
                let since = Calendar.utc.startOfDay(for: now())
                return pages.overview(try await store.overview(since: since), since: since, session: session, notice: Self.notice(request))
            }
        }
        routes.get("policies") { request, context in
            try await viewing(request, context) { session in
                let query = String(request.uri.queryParameters["q"] ?? "").prefix(OperatorAPI.maxQueryLength)
                let cursor = request.uri.queryParameters["cursor"].flatMap { PolicyNumber(String($0))?.canonical }
                let page = try await store.searchPolicies(String(query), limit: 50, after: cursor)
                return pages.policies(page, query: String(query), session: session)
            }
        }
        routes.get("policies/new") { request, context in
            try await viewing(request, context) { session in
                pages.policyForm(PortalPolicyForm(posted: [:]), editing: nil, session: session)
            }
        }
        routes.post("policies") { request, context in
            try await changing(request, context) { session, posted in
                var form = PortalPolicyForm(posted: posted)
                guard let policy = form.validated(claims: [], defaultRegion: operators.defaultRegion) else {
                    return pages.policyForm(form, editing: nil, session: session, status: .unprocessableContent)
                }
                do {
                    let queued = try await store.registerPolicy(
                        policy, messages: operators.messages(for: policy), by: OperatorAction(actor: session.keyName, at: now()))
                    operators.outbox.wake()
                    return Self.redirect("/portal/policies/\(policy.number.canonical)?done=\(queued ? "registered" : "registered-no-sms")")
                } catch OperatorRefusal.policyExists {
                    form.errors["policyNumber"] = "A policy with this number is registered already."
                    return pages.policyForm(form, editing: nil, session: session, status: .conflict)
                }
            }
        }
        routes.get("policies/:number") { request, context in
            try await viewing(request, context) { session in
                guard let number = context.parameters.get("number").flatMap(PolicyNumber.init),
                    let policy = try await store.policy(numbered: number)
                else { return pages.notFound() }
                let conversation = try await store.conversation(of: policy.phone, at: now())
                return pages.policy(
                    policy, conversation: conversation, now: now(), idleTimeout: operators.sessionIdleTimeout, session: session,
                    notice: Self.notice(request))
            }
        }
        routes.get("policies/:number/edit") { request, context in
            try await viewing(request, context) { session in
                guard let number = context.parameters.get("number").flatMap(PolicyNumber.init),
                    let policy = try await store.policy(numbered: number)
                else { return pages.notFound() }
                return pages.policyForm(PortalPolicyForm(policy: policy), editing: policy.number, session: session)
            }
        }
        routes.post("policies/:number") { request, context in
            try await changing(request, context) { session, posted in
                guard let number = context.parameters.get("number").flatMap(PolicyNumber.init),
                    let existing = try await store.policy(numbered: number)
                else { return pages.notFound() }
                var form = PortalPolicyForm(posted: posted)
                form.values["policyNumber"] = existing.displayNumber
                guard let policy = form.validated(claims: existing.claims, defaultRegion: operators.defaultRegion) else {
                    return pages.policyForm(form, editing: number, session: session, status: .unprocessableContent)
                }
                let old = try await store.replacePolicy(
                    policy, messages: operators.messages(for: policy), by: OperatorAction(actor: session.keyName, at: now()))
                operators.outbox.wake()
                return Self.redirect("/portal/policies/\(number.canonical)?done=\(old.phone == policy.phone ? "saved" : "saved-new-phone")")
            }
        }
        for (action, done) in [("unlock", "unlocked"), ("logout", "signed-out")] {
            routes.post("conversations/:phone/\(action)") { request, context in
                try await changing(request, context) { session, posted in
                    guard let text = context.parameters.get("phone"), let phone = PhoneNumber(e164: text.removingPercentEncoding ?? text) else {
                        return pages.notFound()
                    }
                    let by = OperatorAction(actor: session.keyName, at: now())
                    let outcome: String
                    do {
                        if action == "unlock" { try await store.unlock(phone, by: by) } else { try await store.logOut(phone, by: by) }
                        outcome = done
                    } catch OperatorRefusal.notFound {
                        outcome = "nothing"
                    }
                    let back = posted["policy"].flatMap(PolicyNumber.init).map { "/portal/policies/\($0.canonical)" } ?? "/portal"
                    return Self.redirect("\(back)?done=\(outcome)")
                }
            }
        }
        routes.get("audit") { request, context in
            try await viewing(request, context) { session in
                let cursor = request.uri.queryParameters["cursor"].flatMap { Int64(String($0)) }
                return pages.audit(try await store.auditEvents(phone: nil, policy: nil, limit: 50, before: cursor), session: session)
            }
        }
        routes.get("outbox") { request, context in
            try await viewing(request, context) { session in
                let cursor = request.uri.queryParameters["cursor"].flatMap { Int64(String($0)) }
                return pages.outbox(try await store.outboxMessages(status: nil, limit: 50, before: cursor), session: session)
            }
        }
        return routes
    }

    /// Signs in with `secret` (an operator key or `admin.token`): a new session and its cookie.
    private func signIn(_ secret: String, context: AppRequestContext) async throws -> Response {
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        switch try await access.decide(secret: secret.trimming(\.isWhitespace), client: client, role: .operator) {
        case .allowed(let key):
            let id = PortalCookie.newID()
            try await store.createPortalSession(idDigest: PortalCookie.digest(id), keyName: key.name, csrfToken: PortalCookie.newID(), at: now())
            var response = Self.redirect("/portal")
            response.headers[.setCookie] = PortalCookie.setting(id, secure: secureCookies)
            return response
        case .tooManyFailures, .rateLimited:
            return pages.login(error: "Too many attempts; wait a minute and try again.", status: .tooManyRequests)
        case .forbidden:
            return pages.login(error: "That key is not an operator key.", status: .forbidden)
        case .unauthorized, .hidden:
            return pages.login(error: "That key is not valid (or was revoked).", status: .unauthorized)
        }
    }

    /// The signed-in session of `request`, if any.
    private func session(_ request: Request) async throws -> PortalSession? {
        guard let id = PortalCookie.id(in: request), let session = try await store.portalSession(idDigest: PortalCookie.digest(id), at: now())
        else { return nil }
        return session.keyName == "admin" && !adminTokenConfigured ? nil : session
    }

    /// A page for a signed-in session; the sign-in page otherwise.
    private func viewing(
        _ request: Request, _ context: AppRequestContext, _ page: (PortalSession) async throws -> Response
    ) async throws -> Response {
        try await answering(context) {
            guard let session = try await session(request) else { return Self.redirect("/portal/login") }
            return try await page(session)
        }
    }

    /// A change posted by a signed-in session with its CSRF token; `403` and nothing changed without it.
    private func changing(
        _ request: Request, _ context: AppRequestContext, _ change: (PortalSession, [String: String]) async throws -> Response
    ) async throws -> Response {
        try await answering(context) {
            guard let session = try await session(request) else { return Self.redirect("/portal/login") }
            guard let form = try await Self.form(request), let token = form["csrf"], ConstantTime.equal(token, session.csrfToken) else {
                return pages.forbidden()
            }
            return try await change(session, form)
        }
    }

    /// Runs a page; a store that fails answers `503`, never a 500.
    private func answering(_ context: AppRequestContext, _ page: () async throws -> Response) async throws -> Response {
        do {
            return try await page()
        } catch {
            context.logger.error("portal page failed", metadata: ["error": "\(error)"])
            return pages.unavailable()
        }
    }

    /// The urlencoded form posted, or `nil` when it is not one or is too large.
    private static func form(_ request: Request) async throws -> [String: String]? {
        var request = request
        guard let body = try? await request.collectBody(upTo: maxFormSize),
            let form = try? FormParameters(decoding: body.readableBytesView)
        else { return nil }
        var values: [String: String] = [:]
        for (name, value) in form.pairs where values[name] == nil { values[name] = value }
        return values
    }

    private static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The notice a redirect asked for (`?done=`), from a fixed list: nothing typed is echoed.
    private static func notice(_ request: Request) -> String? {
        switch request.uri.queryParameters["done"].map(String.init) {
        case "registered": "Policyholder registered; welcome SMS queued."
        case "registered-no-sms": "Policyholder registered. No welcome SMS: the phone opted out (STOP)."
        case "saved": "Policy saved."
        case "saved-new-phone": "Policy saved. The new phone gets the welcome SMS, the old one a notice; its sessions ended."
        case "unlocked": "Unlocked: lockouts and failure counts lifted."
        case "signed-out": "The customer's session ended."
        case "nothing": "Nothing to do: no conversation with that phone."
        default: nil
        }
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC: the portal's "today".
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
