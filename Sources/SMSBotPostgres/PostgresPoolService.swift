import PostgresNIO
import ServiceLifecycle

/// Runs the store's connection pool, and tells the store when it has started: PostgresNIO warns
/// about (and the store should not make) a query before `PostgresClient.run()` was called.
struct PostgresPoolService: Service {
    let client: PostgresClient
    let started: Latch

    func run() async {
        started.open()
        await client.run()
    }
}
