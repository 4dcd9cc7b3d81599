import TestSupport
import Testing

/// Every guarantee of the store contract, on PostgreSQL (the server `TEST_DATABASE_URL` names;
/// scripts/test starts one).
@Suite(.timeLimit(.minutes(3))) struct PostgresConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conforms(to check: StoreConformance.Check) async throws {
        try await check.run(on: .postgres)
    }
}
