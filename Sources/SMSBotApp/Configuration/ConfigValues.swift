import Configuration
import Foundation
import SMSBotCore

/// Reads raw configuration values as text, so every type check and every message is ours
/// and names the key (secret values are never quoted). Empty strings count as unset, as an empty environment variable does.
struct ConfigValues {
    let reader: ConfigReader

    func optionalString(_ key: String, isSecret: Bool = false) throws(ConfigurationError) -> String? {
        guard let value = reader.string(forKey: ConfigKey(key), isSecret: isSecret) else { return nil }
        let trimmed = String(value.trimming(\.isWhitespace))
        return trimmed.isEmpty ? nil : trimmed
    }

    func string(_ key: String, default defaultValue: String, check: (String) -> String?) throws(ConfigurationError) -> String {
        let value = try optionalString(key) ?? defaultValue
        if let problem = check(value) {
            throw ConfigurationError(key: key, reason: problem)
        }
        return value
    }

    func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = try optionalString(key) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                key: key, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return value
    }
}
