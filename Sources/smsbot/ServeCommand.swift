import ArgumentParser
import Hummingbird
import SMSBotApp

/// `smsbot serve`: runs the HTTP server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP server (graceful shutdown on SIGINT/SIGTERM).")

    @Flag(help: "Load the demo policies from Config/demo-policies.json when they are not there yet.")
    var demo = false

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        var configuration = try await options.load()
        if demo { configuration.demoPoliciesFile = ConfigurationOptions.demoPoliciesFile }
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(configuration)
        } catch {
            throw startupFailure("cannot start: \(error)")
        }
        try await app.runService()
    }
}
