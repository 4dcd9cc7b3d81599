import ArgumentParser

/// `smsbot`: the SMS bot that verifies a customer by one-time passcode.
@main
struct SMSBotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smsbot",
        abstract: "An SMS bot that verifies a customer by one-time passcode before it tells them anything confidential.",
        subcommands: [ServeCommand.self, MigrateCommand.self, PoliciesCommand.self, SimulateCommand.self, KeysCommand.self]
    )
}
