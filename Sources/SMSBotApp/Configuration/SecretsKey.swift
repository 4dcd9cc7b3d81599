import Foundation
import SMSBotStorage
import SMSBotCore

/// The key OTP hashes are made with (`secrets.key`).
///
/// When none is configured: next to a SQLite file one is generated once into `secret.key`
/// (mode 0600) and reused; an in-memory database gets a key that lives as long as the process;
/// PostgreSQL needs one configured, since every instance must share it.
enum SecretsKey {
    static func load(_ configuration: AppConfiguration) throws -> Data {
        if let key = configuration.secretsKey {
            return Data(key.value.utf8)
        }
        switch configuration.database {
        case .sqliteInMemory:
            return randomKey()
        case .postgres:
            throw ConfigurationError(key: "secrets.key", reason: "required with PostgreSQL, and the same on every instance")
        case .sqliteFile(let path):
            let file = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("secret.key")
            return try loadOrCreate(at: file)
        }
    }

    /// The key in `file`, created (mode 0600 from the start) when there is none. A file that
    /// exists but cannot be read, or is too short, stops start-up: replacing it would void every
    /// pending code and hide the fault.
    private static func loadOrCreate(at file: URL) throws -> Data {
        try PrivateFiles.createFolder(file.deletingLastPathComponent().path)
        let key = Data(randomKey().lowercaseHex.utf8)
        if try PrivateFiles.createFile(file.path, contents: key) {
            return key
        }
        guard let existing = try? Data(contentsOf: file) else {
            throw ConfigurationError(key: "secrets.key", reason: "\(file.path) exists but cannot be read; fix it or remove it")
        }
        guard existing.count >= 32 else {
            throw ConfigurationError(key: "secrets.key", reason: "\(file.path) is shorter than 32 bytes; fix it or remove it")
        }
        return existing
    }

    private static func randomKey() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
