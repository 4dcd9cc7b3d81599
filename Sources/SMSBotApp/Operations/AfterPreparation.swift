import ServiceLifecycle

/// A background service that starts only once the store is ready, so it never meets a schema
/// that is still being migrated.
struct AfterPreparation: Service {
    let service: any Service
    let preparation: StorePreparation

    func run() async throws {
        try await preparation.ready()
        try await service.run()
    }
}
