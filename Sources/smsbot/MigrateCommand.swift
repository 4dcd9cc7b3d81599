import ArgumentParser
import SMSBotApp
import SMSBotStorage

/// `smsbot migrate`: creates or upgrades the database schema, then exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the database schema and exit.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try await options.load()
        do {
            // The same path as serve's: open, run the store's services, migrate.
            try await withRunningStore(try openStore(configuration.database)) { _ in }
        } catch {
            throw startupFailure("cannot migrate: \(error)")
        }
        print("database schema is up to date (\(configuration.database.summary))")
    }
}
