import Foundation
import Hummingbird
import SMSBotCore
import SMSBotStorage
import Synchronization

/// Who may use a route that needs a credential (SPEC §7): `Authorization: Bearer` with a live
/// access key of the right role, or `admin.token` (an operator credential named `admin`).
///
/// A credential is looked up by its secret's SHA-256, never compared as text, and every request
/// looks it up in the store, so a revocation holds at once on every instance. A client that
/// presented too many wrong credentials in the last minute is refused even a right one, and a
/// key that made `api.requestsPerMinute` requests in its current minute is refused until the
/// minute is over (counted in the store, across instances; `admin.token`'s in memory).
struct AccessControl: Sendable {
    let keys: any AccessKeyStore
    /// The SHA-256 (hex) of `admin.token`, if one is configured.
    let adminDigest: String?
    let failures: FailedCredentials
    let requestsPerMinute: Int
    private let adminWindow = AdminRequestWindow()
    let now: @Sendable () -> Date

    init(
        keys: any AccessKeyStore, adminToken: Secret?, failures: FailedCredentials, requestsPerMinute: Int,
        now: @escaping @Sendable () -> Date
    ) {
        self.keys = keys
        self.adminDigest = adminToken.map { AccessKeySecret.digest(of: $0.value) }
        self.failures = failures
        self.requestsPerMinute = requestsPerMinute
        self.now = now
    }

    /// The outcome of checking a request.
    enum Decision: Equatable {
        case allowed(AccessKey)
        /// `401` with `WWW-Authenticate: Bearer`: no credential, or one nobody holds.
        case unauthorized
        /// `403`: a live key of another role.
        case forbidden
        /// `429` with `Retry-After`: this client failed too often in the last minute.
        case tooManyFailures(retryAfter: Int)
        /// `429` with `Retry-After`: the key made `api.requestsPerMinute` requests this minute.
        case rateLimited(retryAfter: Int)
        /// `404`: no operator credential exists, and the client is not on loopback (`/metrics` only).
        case hidden
    }

    /// Checks `request` for a credential of `role`. With `loopbackWithoutCredentials`, a request
    /// without one is allowed from loopback while no operator credential exists at all.
    func decide(_ request: Request, context: AppRequestContext, role: AccessKey.Role, loopbackWithoutCredentials: Bool = false) async throws
        -> Decision
    {
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        guard let bearer = Self.bearerToken(request) else {
            if let retryAfter = failures.refusal(for: client, at: now()) { return .tooManyFailures(retryAfter: retryAfter) }
            guard loopbackWithoutCredentials, try await !operatorCredentialExists() else { return .unauthorized }
            return context.remoteAddress.map(Loopback.contains) == true ? .allowed(Self.loopback) : .hidden
        }
        return try await decide(secret: bearer, client: client, role: role)
    }

    /// Checks a presented secret (a Bearer credential, or the portal's sign-in form) from
    /// `client` for `role`, counting it against the client's failures when nobody holds it.
    func decide(secret: some StringProtocol, client: String, role: AccessKey.Role) async throws -> Decision {
        let now = now()
        if let retryAfter = failures.refusal(for: client, at: now) {
            return .tooManyFailures(retryAfter: retryAfter)
        }
        let digest = AccessKeySecret.digest(of: secret)
        let use =
            adminDigest.map { ConstantTime.equal($0, digest) } == true
            ? adminWindow.count(at: now)
            : try await keys.accessKey(forSecretDigest: digest, usedAt: now)
        guard let use else {
            failures.record(for: client, at: now)
            return .unauthorized
        }
        guard use.key.role == role else { return .forbidden }
        guard use.requestsInWindow <= requestsPerMinute else {
            let end = use.windowStartedAt.addingTimeInterval(AdminRequestWindow.length)
            return .rateLimited(retryAfter: max(1, Int(end.timeIntervalSince(now).rounded(.up))))
        }
        return .allowed(use.key)
    }

    /// The answer to a request that is not allowed, or `nil` with the key when it is.
    func refusal(_ decision: Decision) -> Response? {
        switch decision {
        case .allowed: nil
        case .unauthorized: Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        case .forbidden: Response(status: .forbidden)
        case .tooManyFailures(let retryAfter), .rateLimited(let retryAfter):
            Response(status: .tooManyRequests, headers: [.retryAfter: "\(retryAfter)"])
        case .hidden: Response(status: .notFound)
        }
    }

    /// Whether any operator credential exists: `admin.token`, or a live operator key.
    func operatorCredentialExists() async throws -> Bool {
        guard adminDigest == nil else { return true }
        return try await keys.accessKeys().contains { $0.role == .operator && $0.revokedAt == nil }
    }

    /// The identity of a loopback client let in while no operator credential exists.
    static let loopback = AccessKey(name: "loopback", role: .operator, createdAt: .distantPast)


    private static func bearerToken(_ request: Request) -> Substring? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimming(\.isWhitespace)
        return token.isEmpty ? nil : token
    }
}

/// `admin.token`'s one-minute request window: it is no stored key, so it is counted here, per instance.
private final class AdminRequestWindow: Sendable {
    static let length: TimeInterval = 60
    private let window = Mutex<(startedAt: Date, requests: Int)>((.distantPast, 0))

    /// Counts a request at `now` and returns the admin credential's use.
    func count(at now: Date) -> AccessKeyUse {
        window.withLock { window in
            if now.timeIntervalSince(window.startedAt) >= Self.length { window = (now, 0) }
            window.requests += 1
            return AccessKeyUse(
                key: AccessKey(name: "admin", role: .operator, createdAt: .distantPast), windowStartedAt: window.startedAt,
                requestsInWindow: window.requests)
        }
    }
}
