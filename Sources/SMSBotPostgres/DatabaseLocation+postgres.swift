import Foundation
import NIOSSL
public import PostgresNIO
public import SMSBotCore
public import SMSBotStorage

extension DatabaseLocation {
    /// The PostgresNIO configuration a `postgres://user:pass@host:5432/db?sslmode=…` URL names.
    ///
    /// `sslmode` follows libpq: `disable`; `allow` or `prefer` (the default) use TLS when the
    /// server offers it; `require` insists on TLS; `verify-ca` and `verify-full` also verify the
    /// server's certificate. Errors never quote the URL, which holds a password.
    public static func postgresConfiguration(url: Secret) throws(PostgresURLError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url.value), let host = components.host, !host.isEmpty else {
            throw PostgresURLError(reason: "expected postgres://user:pass@host:5432/db")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresURLError(reason: "names no user")
        }
        let database = String(components.path.drop { $0 == "/" })
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresClient.Configuration.TLS
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer" {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(unverified)
        case "require": tls = .require(unverified)
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let mode:
            throw PostgresURLError(reason: "unknown sslmode \(mode); expected disable, prefer, require, verify-ca or verify-full")
        }
        return PostgresClient.Configuration(
            // URLComponents' user and password are already percent-decoded: decoding them again
            // would turn a password's literal "%41" (written %2541) into "A".
            host: host, port: components.port ?? 5432, username: user,
            password: components.password, database: database.isEmpty ? nil : database, tls: tls)
    }
}

/// A `database.url` naming PostgreSQL that cannot be used. Its text names the key and never
/// quotes the URL, which holds a password.
public struct PostgresURLError: Error, Equatable, CustomStringConvertible {
    /// Why the URL is refused.
    public let reason: String

    public var description: String { "invalid configuration: database.url: \(reason)" }
}
