import Hummingbird

/// `GET /metrics`: the Prometheus text exposition.
struct MetricsController: Sendable {
    let metrics: AppMetrics

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return routes
    }
}
