import Foundation
import Logging
import SMSBotCore
import SMSBotStorage

/// `serve --demo` in development mode with no operator credential: an operator key named
/// `demo` for that database (made once) and a sign-in link carrying it, printed on standard
/// output as a notebook server prints its token, so a new user is in the portal in one click.
///
/// On a SQLite file the secret is kept beside the database (mode 0600) so later demo runs
/// print the link again; elsewhere it is printed once, when made.
enum DemoSignIn {
    static let keyName = "demo"

    /// Makes the key when needed and prints the link; does nothing unless in a demo in development mode.
    static func prepare(store: any SMSBotStore, configuration: AppConfiguration, developmentMode: Bool, now: Date, logger: Logger) async throws {
        guard configuration.loadsDemoPolicies, developmentMode, configuration.adminToken == nil else { return }
        let keys = try await store.accessKeys()
        let secretFile = secretPath(configuration.database)
        if let existing = keys.first(where: { $0.name == keyName }) {
            guard existing.revokedAt == nil, let secretFile, let secret = try? String(contentsOfFile: secretFile, encoding: .utf8),
                try await store.accessKey(forSecretDigest: AccessKeySecret.digest(of: secret), usedAt: now)?.key.name == keyName
            else { return }
            announce(secret, configuration: configuration)
            return
        }
        guard !keys.contains(where: { $0.role == .operator && $0.revokedAt == nil }) else { return }
        var random = SystemRandomNumberGenerator()
        let secret = AccessKeySecret.generate(using: &random)
        try await store.createAccessKey(AccessKey(name: keyName, role: .operator, createdAt: now), secretDigest: secret.digest)
        if let secretFile { try PrivateFiles.createFile(secretFile, contents: Data(secret.text.utf8)) }
        logger.info("created the operator key demo for the portal (serve --demo in development mode)")
        announce(secret.text, configuration: configuration)
    }

    private static func secretPath(_ database: DatabaseLocation) -> String? {
        guard case .sqliteFile(let path) = database else { return nil }
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("demo-operator.key").path
    }

    private static func announce(_ secret: String, configuration: AppConfiguration) {
        let host = configuration.http.host.contains(":") ? "[\(configuration.http.host)]" : configuration.http.host
        print("\nOperator portal (demo): http://\(host):\(configuration.http.port)/portal/login?key=\(secret)\n")
        fflush(nil)  // a pipe (a service manager, a test) gets it now, not at exit
    }
}
