import Foundation
import HTTPTypes
import HummingbirdTesting
import SMSBotApp
import SMSBotCore
import SMSBotStorage
import TestSupport
import Testing

/// SPEC §5: private files from the moment they exist, a secrets key never silently replaced,
/// and development mode on loopback only.
@Suite(.timeLimit(.minutes(3))) struct StartupSafetyTests {
    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int) & 0o777
    }

    @Test func theDataFolderIsPrivateAndEveryFileInItToo() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let data = folder.path("data")
        var configuration = AppConfiguration.test(database: .sqliteFile(path: data + "/smsbot.sqlite"))
        configuration.secretsKey = nil  // generated into data/secret.key
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            let response = try await client.post(InboundSMS())
            #expect(response.status == .ok)
            for file in ["smsbot.sqlite", "smsbot.sqlite-wal", "smsbot.sqlite-shm", "secret.key"] {
                #expect(try mode(data + "/" + file) == 0o600, "\(file)")
            }
        }
        #expect(try mode(data) == 0o700)
    }

    @Test func anUnreadableSecretsKeyStopsStartUpAndIsNotReplaced() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        // A folder where the key file should be: it exists, and cannot be read as a key.
        try FileManager.default.createDirectory(atPath: folder.path("secret.key"), withIntermediateDirectories: false)
        var configuration = AppConfiguration.test(database: .sqliteFile(path: folder.path("smsbot.sqlite")))
        configuration.secretsKey = nil
        await #expect {
            _ = try await buildApplication(configuration)
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.key == "secrets.key" && error?.reason.contains("cannot be read") == true
        }
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder.path("secret.key"), isDirectory: &isFolder) && isFolder.boolValue)
    }

    @Test func aCorruptSecretsKeyStopsStartUpAndIsNotReplaced() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try "short".write(toFile: folder.path("secret.key"), atomically: true, encoding: .utf8)
        var configuration = AppConfiguration.test(database: .sqliteFile(path: folder.path("smsbot.sqlite")))
        configuration.secretsKey = nil
        await #expect(throws: ConfigurationError.self) { _ = try await buildApplication(configuration) }
        #expect(try String(contentsOfFile: folder.path("secret.key"), encoding: .utf8) == "short")
    }

    @Test(arguments: ["0.0.0.0", "::", "192.168.1.20"])
    func developmentModeRefusesToListenBeyondLoopback(host: String) async throws {
        var development = AppConfiguration.test()
        development.twilio.authToken = nil
        development.http.host = host
        await #expect {
            _ = try await buildApplication(development)
        } throws: { error in
            (error as? ConfigurationError)?.key == "http.host"
        }
        var signed = AppConfiguration.test()
        signed.http.host = host
        _ = try await buildApplication(signed)  // with signatures on, any address may be served
        development.http.host = "127.0.0.1"
        _ = try await buildApplication(development)
    }
}
