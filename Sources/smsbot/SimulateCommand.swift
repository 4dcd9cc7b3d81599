import ArgumentParser
import Foundation
import Logging
import SMSBotApp
import SMSBotCore
import SMSBotStorage

/// `smsbot simulate`: chat with the bot in the terminal; works with piped input too.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Chat with the bot in the terminal as a phone number; SMS it sends are shown inline.")

    @Option(help: "The phone number to text as (E.164).")
    var from = "+15551230001"

    @Flag(help: "Load the built-in demo policies (those of Config/demo-policies.json) when they are not there yet.")
    var demo = false

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        guard let phone = PhoneNumber(e164: from) else {
            throw ValidationError("--from must be an E.164 number such as +15551230001")
        }
        var configuration = try await options.load()
        configuration.loadsDemoPolicies = demo
        var logger = Logger(label: "smsbot")
        logger.logLevel = .warning
        let environment = AppEnvironment(logger: logger, smsSender: ConsoleSender { print($0) })
        let services: AppServices
        do {
            services = try AppServices(configuration, environment: environment)
        } catch {
            throw startupFailure("cannot start: \(error)")
        }
        try await withRunningStore(services.store) { _ in
            try await services.prepare()
            try await Simulator(services: services, from: phone).run(
                readLine: { Swift.readLine() }, write: { print($0) }, prompt: isatty(STDIN_FILENO) != 0)
        }
    }
}
