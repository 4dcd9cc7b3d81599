import TestSupport
import Testing

/// Every guarantee of the store contract, on SQLite.
@Suite(.timeLimit(.minutes(3))) struct SQLiteConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conforms(to check: StoreConformance.Check) async throws {
        try await check.run(on: .sqlite)
    }
}
