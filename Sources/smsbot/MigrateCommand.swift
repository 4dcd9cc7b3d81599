import ArgumentParser
import SMSBotApp

/// `smsbot migrate`: creates or upgrades the database schema, then exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the database schema and exit.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try await options.load()
        do {
            _ = try await openStore(configuration.database)
        } catch {
            throw startupFailure("cannot migrate: \(error)")
        }
        print("database schema is up to date (\(configuration.database.summary))")
    }
}
