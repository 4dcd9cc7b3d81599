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

    private static func loadOrCreate(at file: URL) throws -> Data {
        if let existing = try? Data(contentsOf: file) {
            guard existing.count >= 32 else {
                throw ConfigurationError(key: "secrets.key", reason: "\(file.path) is shorter than 32 bytes")
            }
            return existing
        }
        let key = Data(randomKey().map { String(format: "%02x", $0) }.joined().utf8)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file.path, contents: key, attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(key: "secrets.key", reason: "cannot write \(file.path)")
        }
        return key
    }

    private static func randomKey() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
