import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SMSBotApp

/// `smsbot serve`: runs the HTTP server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP server (graceful shutdown on SIGINT/SIGTERM).")

    @Flag(help: "Load the built-in demo policies (those of Config/demo-policies.json) when they are not there yet.")
    var demo = false

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        var configuration = try await options.load()
        configuration.loadsDemoPolicies = demo
        let app: any ApplicationProtocol
        do {
            var logger = Logger(label: "smsbot")
            logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            app = try await buildApplication(configuration, environment: AppEnvironment(logger: logger))
        } catch {
            throw startupFailure("cannot start: \(error)")
        }
        do {
            try await app.runService()
        } catch {
            // Reaching the database happens here, as the server starts: a store that cannot be
            // migrated stops start-up with one line too.
            FileHandle.standardError.write(Data("smsbot: stopped: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
