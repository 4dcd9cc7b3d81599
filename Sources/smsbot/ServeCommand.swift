import ArgumentParser
import Hummingbird
import SMSBotApp

/// `smsbot serve`: runs the HTTP server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP server (graceful shutdown on SIGINT/SIGTERM).")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try await options.load()
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(configuration)
        } catch {
            throw startupFailure("cannot start: \(error)")
        }
        try await app.runService()
    }
}
