import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// In front of every `/portal` route: `404` while no operator credential exists (SPEC §10),
/// and the headers every portal answer carries (no inline script, no framing, no sniffing,
/// nothing cached, no sign-in link leaked in a Referer).
struct PortalGuard: RouterMiddleware {
    typealias Context = AppRequestContext

    let access: AccessControl

    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let enabled: Bool
        do {
            enabled = try await access.operatorCredentialExists()
        } catch {
            context.logger.error("portal: the store cannot be read", metadata: ["error": "\(error)"])
            return Self.secured(Response(status: .serviceUnavailable))
        }
        guard enabled else { return Response(status: .notFound) }
        return Self.secured(try await next(request, context))
    }

    private static func secured(_ response: Response) -> Response {
        var response = response
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
