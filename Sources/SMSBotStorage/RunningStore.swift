import ServiceLifecycle

/// Runs `body` with `store` usable: its services running and its schema migrated, then stops
/// the services. For work outside the server (`smsbot migrate`, `policies`, `simulate`, tests);
/// the server runs the same services and migration under its own lifecycle.
public func withRunningStore<Result>(
    _ store: any SMSBotStore, _ body: (any SMSBotStore) async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for service in store.services {
            group.addTask { try await service.run() }
        }
        defer { group.cancelAll() }
        try await store.migrate()
        return try await body(store)
    }
}
