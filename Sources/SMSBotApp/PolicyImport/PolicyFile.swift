public import Foundation
public import SMSBotCore

/// A file of policies to import (SPEC §6): JSON (an array of objects) or CSV (the same keys as
/// a header row; claims only in JSON). Reading is all or nothing: every bad row is reported.
public enum PolicyFile {
    /// Reads and validates every policy in `data`, named `name` in messages, as JSON or CSV by its extension.
    /// - Throws: ``PolicyFileError`` listing every bad row as `FILE:LINE: reason`.
    public static func read(_ data: Data, name: String, defaultRegion: String) throws(PolicyFileError) -> [Policy] {
        var policies: [Policy] = []
        var problems: [(line: Int, reason: String)] = []
        var lines: [PolicyNumber: Int] = [:]
        func add(_ record: PolicyRecord) {
            do throws(PolicyRecord.Invalid) {
                let policy = try record.policy(defaultRegion: defaultRegion)
                if let first = lines[policy.number] {
                    throw PolicyRecord.Invalid("policy \(policy.displayNumber) already appears on line \(first)")
                }
                lines[policy.number] = record.line
                policies.append(policy)
            } catch {
                problems.append((record.line, error.reason))
            }
        }
        switch URL(fileURLWithPath: name).pathExtension.lowercased() {
        case "json":
            let (records, unreadable) = try JSONPolicyRecords.read(data, file: name)
            problems = unreadable
            records.forEach(add)
        case "csv":
            // Records are turned into policies as they are parsed: a million-row file is never
            // held as rows and records as well.
            let unreadable = try CSVPolicyRecords.read(data, file: name, each: add)
            problems += unreadable
        default: throw PolicyFileError(problems: ["\(name):1: expected a .json or .csv file"])
        }
        guard problems.isEmpty else {
            throw PolicyFileError(problems: problems.sorted { $0.line < $1.line }.map { "\(name):\($0.line): \($0.reason)" })
        }
        return policies
    }
}

/// Why a policy file was refused: one `FILE:LINE: reason` per bad row.
public struct PolicyFileError: Error, Equatable, CustomStringConvertible {
    public let problems: [String]

    public var description: String { problems.joined(separator: "\n") }
}
