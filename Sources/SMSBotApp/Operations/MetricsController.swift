import Hummingbird
import Logging
import SMSBotCore

/// `GET /metrics`: the Prometheus text exposition, for operators only (``AccessControl``):
/// an operator credential, or loopback clients while none exists.
struct MetricsController: Sendable {
    let metrics: AppMetrics
    let access: AccessControl

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("metrics") { request, context in
            let decision: AccessControl.Decision
            do {
                decision = try await access.decide(request, context: context, role: .operator, loopbackWithoutCredentials: true)
            } catch {
                // The keys live in the store: without it, no credential can be checked.
                context.logger.error("access check failed", metadata: ["error": "\(error)"])
                return Response(status: .serviceUnavailable)
            }
            if let refusal = access.refusal(decision) { return refusal }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return routes
    }
}
