import PostgresNIO
import Testing

import SMSBotStorage
@testable import SMSBotPostgres
import SMSBotCore

@Suite struct PostgresURLTests {
    @Test func theURLNamesHostUserPasswordDatabaseAndTLS() throws {
        let configuration = try DatabaseLocation.postgresConfiguration(
            url: Secret("postgresql://bot%40acme:p%40ss@db.internal:6543/smsbot?sslmode=require"))
        #expect(configuration.host == "db.internal" && configuration.port == 6543)
        #expect(configuration.username == "bot@acme" && configuration.password == "p@ss" && configuration.database == "smsbot")
        #expect("\(configuration.tls)".contains("require"))
        let plain = try DatabaseLocation.postgresConfiguration(url: Secret("postgres://bot@localhost/smsbot?sslmode=disable"))
        #expect(plain.port == 5432 && plain.password == nil && "\(plain.tls)".contains("disable"))
        #expect("\(try DatabaseLocation.postgresConfiguration(url: Secret("postgres://bot@localhost/db")).tls)".contains("prefer"))
    }

    @Test func percentEscapesAreDecodedOnce() throws {
        let configuration = try DatabaseLocation.postgresConfiguration(url: Secret("postgres://bot%2541:pa%2525ss%41@db/smsbot"))
        #expect(configuration.username == "bot%41" && configuration.password == "pa%25ssA")
    }

    @Test(arguments: ["postgres://localhost/db", "postgres:///db", "postgres://u:secret-pw@h/db?sslmode=sometimes"])
    func anUnusableURLIsRefusedWithoutQuotingIt(url: String) {
        #expect {
            try DatabaseLocation.postgresConfiguration(url: Secret(url))
        } throws: { error in
            guard let error = error as? PostgresURLError else { return false }
            return error.description.hasPrefix("invalid configuration: database.url: ") && !error.description.contains("secret-pw")
        }
    }
}
