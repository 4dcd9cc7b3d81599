import ArgumentParser
import Foundation
import SMSBotApp
import SMSBotCore
import SMSBotStorage

/// `smsbot policies import|list`.
struct PoliciesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies", abstract: "Import or list policies.", subcommands: [Import.self, List.self])

    /// `smsbot policies import FILE`: all or nothing, every bad row reported as FILE:LINE: reason.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import policies from a .json or .csv file; re-importing a policy number updates it.")

        @Argument(help: "The .json or .csv file.")
        var file: String

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let configuration = try await options.load()
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                FileHandle.standardError.write(Data("\(file):1: cannot be read\n".utf8))
                throw ExitCode.failure
            }
            let policies: [Policy]
            do {
                policies = try PolicyFile.read(data, name: file, defaultRegion: configuration.phoneDefaultRegion)
            } catch {
                FileHandle.standardError.write(Data("\(error.description)\nnothing imported\n".utf8))
                throw ExitCode.failure
            }
            try await withRunningStore(try openStore(configuration.database)) { store in
                try await store.upsertPolicies(policies, at: Date())
            }
            print("imported \(policies.count) \(policies.count == 1 ? "policy" : "policies") from \(file)")
        }
    }

    /// `smsbot policies list`: a table with masked phone numbers.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List policies; phone numbers are masked.")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let policies = try await withRunningStore(try openStore(try await options.load().database)) { store in
                try await store.allPolicies()
            }
            let rows = policies.map { policy in
                [policy.displayNumber, policy.holderName, policy.phone.masked, policy.product, policy.status, policy.expiryDate,
                 "\(policy.claims.count)"]
            }
            print(Self.table(header: ["POLICY", "HOLDER", "PHONE", "PRODUCT", "STATUS", "EXPIRES", "CLAIMS"], rows: rows))
        }

        static func table(header: [String], rows: [[String]]) -> String {
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            return ([header] + rows).map { row in
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimming(\.isWhitespace)
            }.joined(separator: "\n")
        }
    }
}
