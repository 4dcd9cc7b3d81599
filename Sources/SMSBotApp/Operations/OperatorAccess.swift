import Crypto
import Hummingbird
import NIOCore
import SMSBotCore

/// Who may use an operator route such as `/metrics` (SPEC §3, §7): a request carrying
/// `Authorization: Bearer` with an operator credential (today `admin.token`); with no operator
/// credential configured, loopback clients only, and every other client is told the route
/// does not exist.
struct OperatorAccess: Sendable {
    /// The credential's SHA-256: requests are compared by digest, in constant time whatever they carry.
    private let credentialDigest: SHA256Digest?

    init(adminToken: Secret?) {
        credentialDigest = adminToken.map { SHA256.hash(data: Array($0.value.utf8)) }
    }

    /// What to do with a request.
    enum Decision: Equatable {
        case allowed
        /// `401` with `WWW-Authenticate: Bearer`.
        case unauthorized
        /// `404`: nobody is configured to use the route from where this request came.
        case hidden
    }

    func decide(_ request: Request, context: AppRequestContext) -> Decision {
        guard let credentialDigest else {
            return context.remoteAddress.map(Self.isLoopback) == true ? .allowed : .hidden
        }
        guard let bearer = Self.bearerToken(request) else { return .unauthorized }
        return SHA256.hash(data: Array(bearer.utf8)) == credentialDigest ? .allowed : .unauthorized
    }

    /// The routes' answer to a request that is not allowed, or `nil` when it is.
    func refusal(_ request: Request, context: AppRequestContext) -> Response? {
        switch decide(request, context: context) {
        case .allowed:
            nil
        case .unauthorized:
            Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        case .hidden:
            Response(status: .notFound)
        }
    }

    private static func bearerToken(_ request: Request) -> Substring? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimming(\.isWhitespace)
    }

    private static func isLoopback(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}
