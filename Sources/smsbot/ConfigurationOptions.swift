import ArgumentParser
import Configuration
import Logging
import SMSBotApp

/// The options every command shares: where configuration comes from, and the flags that
/// override it (highest priority, before environment variables and the YAML file).
struct ConfigurationOptions: ParsableArguments {
    @Option(help: "The YAML configuration file.")
    var config: String?

    @Option(name: .customLong("http-host"), help: "Address to listen on (http.host).")
    var httpHost: String?

    @Option(name: .customLong("http-port"), help: "Port to listen on (http.port).")
    var httpPort: String?

    @Option(name: .customLong("database-url"), help: "sqlite:PATH, sqlite::memory: or postgres://… (database.url).")
    var databaseURL: String?

    static let defaultConfigFile = "Config/smsbot.yaml"

    /// Reads and validates the configuration, or exits with one line naming the bad key.
    func load() async throws -> AppConfiguration {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let httpHost { flags["http.host"] = .init(.string(httpHost), isSecret: false) }
        if let httpPort { flags["http.port"] = .init(.string(httpPort), isSecret: false) }
        if let databaseURL { flags["database.url"] = .init(.string(databaseURL), isSecret: true) }
        let file: FileProvider<YAMLSnapshot>
        do {
            // Named through a reader so the path needs no FilePath (swift-system) here.
            file = try await FileProvider<YAMLSnapshot>(
                config: ConfigReader(
                    provider: InMemoryProvider(values: [
                        "filePath": .init(.string(config ?? Self.defaultConfigFile), isSecret: false),
                        "allowMissing": .init(.bool(config == nil), isSecret: false),
                    ])))
        } catch {
            throw startupFailure(ConfigurationFileError.describe(error, file: config ?? Self.defaultConfigFile))
        }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider(),
            file,
        ])
        do {
            return try AppConfiguration.load(from: reader)
        } catch {
            throw startupFailure(error.description)
        }
    }
}
