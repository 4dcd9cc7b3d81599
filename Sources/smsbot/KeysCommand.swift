import ArgumentParser
import Foundation
import SMSBotApp
import SMSBotCore
import SMSBotStorage

/// `smsbot keys create|list|revoke`: access keys for the API and `/metrics` (SPEC §7).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list or revoke access keys.", subcommands: [Create.self, List.self, Revoke.self])

    /// `smsbot keys create --name NAME --role operator|verify`: the secret is printed once, on stdout.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an access key; its secret is printed once and never again.")

        @Option(help: "A unique name: letters, digits, '-', '_' or '.'.")
        var name: String

        @Option(help: "operator (operator API, portal, metrics) or verify (verification API only).")
        var role: String

        @OptionGroup var options: ConfigurationOptions

        func validate() throws {
            guard AccessKey.isValidName(name), name != "admin" else {
                throw ValidationError("--name must be 1 to 64 letters, digits, '-', '_' or '.', and not admin (that is admin.token)")
            }
            guard AccessKey.Role(rawValue: role) != nil else { throw ValidationError("--role must be operator or verify") }
        }

        func run() async throws {
            let configuration = try await options.load()
            var random = SystemRandomNumberGenerator()
            let secret = AccessKeySecret.generate(using: &random)
            let key = AccessKey(name: name, role: AccessKey.Role(rawValue: role)!, createdAt: Date())
            do {
                try await withRunningStore(try openStore(configuration.database)) { store in
                    try await store.createAccessKey(key, secretDigest: secret.digest)
                }
            } catch let error as AccessKeyExists {
                FileHandle.standardError.write(Data("smsbot: \(error)\n".utf8))
                throw ExitCode.failure
            }
            FileHandle.standardError.write(Data("created \(role) key \(name); its secret, shown only now:\n".utf8))
            print(secret.text)
        }
    }

    /// `smsbot keys list`: never a secret.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List access keys: name, role, created, last used, revoked.")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let keys = try await withRunningStore(try openStore(try await options.load().database)) { try await $0.accessKeys() }
            let time = { (date: Date?) in date.map { $0.formatted(.iso8601) } ?? "-" }
            let rows = keys.map { [$0.name, $0.role.rawValue, time($0.createdAt), time($0.lastUsedAt), time($0.revokedAt)] }
            print(PoliciesCommand.List.table(header: ["NAME", "ROLE", "CREATED", "LAST USED", "REVOKED"], rows: rows))
        }
    }

    /// `smsbot keys revoke NAME`: at once, on every instance.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an access key at once, on every instance.")

        @Argument(help: "The key's name.")
        var name: String

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let configuration = try await options.load()
            let revoked = try await withRunningStore(try openStore(configuration.database)) { store in
                try await store.revokeAccessKey(named: name, at: Date())
            }
            guard revoked else {
                FileHandle.standardError.write(Data("smsbot: no live access key named \(name)\n".utf8))
                throw ExitCode.failure
            }
            print("revoked \(name)")
        }
    }
}
