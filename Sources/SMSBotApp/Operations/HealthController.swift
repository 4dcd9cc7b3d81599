import Hummingbird
import Logging
import SMSBotStorage

/// `GET /healthz`: `200 {"status":"ok"}` when the store answers, `503` otherwise.
struct HealthController: Sendable {
    let store: any StoreMaintenance

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("healthz", use: health)
        return routes
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async -> Response {
        do {
            try await store.checkHealth()
            return Self.json(.ok, #"{"status":"ok"}"#)
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(error)"])
            return Self.json(.serviceUnavailable, #"{"status":"unavailable"}"#)
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
