import Hummingbird

/// `GET /metrics`: the Prometheus text exposition, for operators only (``OperatorAccess``).
struct MetricsController: Sendable {
    let metrics: AppMetrics
    let access: OperatorAccess

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("metrics") { request, context in
            if let refusal = access.refusal(request, context: context) { return refusal }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return routes
    }
}
