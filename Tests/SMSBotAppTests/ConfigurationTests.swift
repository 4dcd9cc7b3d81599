import Foundation
import Configuration
@testable import SMSBotApp
import SMSBotStorage
import TestSupport
import Testing
import SMSBotCore

@Suite struct ConfigurationTests {
    private func load(_ values: [String: String]) throws(ConfigurationError) -> AppConfiguration {
        let provider = InMemoryProvider(
            values: Dictionary(uniqueKeysWithValues: values.map { (AbsoluteConfigKey(ConfigKey($0.key)), ConfigValue(.string($0.value), isSecret: false)) }))
        return try AppConfiguration.load(from: ConfigReader(provider: provider))
    }

    @Test func nothingConfiguredIsTheEmbeddedDefault() throws {
        let configuration = try load([:])
        #expect(configuration.http.host == "127.0.0.1")
        #expect(configuration.http.port == 8080)
        #expect(configuration.database == .sqliteFile(path: "data/smsbot.sqlite"))
        #expect(configuration.sender == .console)
        #expect(configuration.publicURL == nil)
        #expect(configuration.otp.length == 6 && configuration.otp.ttlSeconds == 300 && configuration.otp.maxAttempts == 5)
        #expect(configuration.otp.resendCooldownSeconds == 30 && configuration.otp.maxSendsPerHour == 5)
        #expect(configuration.otp.maxPoliciesPerDay == 3)
        #expect(configuration.otp.lockoutSeconds == 900 && configuration.sessionIdleSeconds == 900)
        #expect(configuration.businessName == "Acme Insurance" && configuration.helpContact == "1-800-555-0100")
        #expect(configuration.twilio.apiBaseURL == "https://api.twilio.com")
        #expect(configuration.templatesPath == nil && configuration.phoneDefaultRegion == "US")
        #expect(configuration.api.allowedCountries == ["US", "CA"] && configuration.api.maxSendsPerHour == 1000)
        #expect(configuration.api.requestsPerMinute == 120)
        #expect(WebhookAuthenticator(configuration: configuration).isDevelopmentMode)
    }

    @Test func theShippedYAMLFileHoldsExactlyTheDefaults() async throws {
        let file = try await FileProvider<YAMLSnapshot>(
            config: ConfigReader(provider: InMemoryProvider(values: ["filePath": .init(.string(TestPaths.configFile), isSecret: false)])))
        let fromFile = try AppConfiguration.load(from: ConfigReader(provider: file))
        let defaults = try load([:])
        #expect(fromFile.http.host == defaults.http.host && fromFile.http.port == defaults.http.port)
        #expect(fromFile.database == defaults.database)
        #expect(fromFile.businessName == defaults.businessName && fromFile.helpContact == defaults.helpContact)
        #expect(fromFile.otp.length == defaults.otp.length && fromFile.otp.lockoutSeconds == defaults.otp.lockoutSeconds)
        #expect(fromFile.sessionIdleSeconds == defaults.sessionIdleSeconds)
        #expect(fromFile.otp.maxPoliciesPerDay == defaults.otp.maxPoliciesPerDay && fromFile.otp.maxSendsPerHour == defaults.otp.maxSendsPerHour)
        #expect(fromFile.templatesPath == defaults.templatesPath && fromFile.phoneDefaultRegion == "US")
        #expect(fromFile.twilio.apiBaseURL == defaults.twilio.apiBaseURL)
        #expect(fromFile.api.allowedCountries == defaults.api.allowedCountries && fromFile.api.maxSendsPerHour == defaults.api.maxSendsPerHour)
        #expect(fromFile.api.requestsPerMinute == defaults.api.requestsPerMinute)
    }

    @Test func environmentNamesFollowTheSpec() throws {
        let environment = EnvironmentVariablesProvider(environmentVariables: [
            "HTTP_PORT": "9090", "PUBLIC_URL": "https://bot.example.com/", "DATABASE_URL": "sqlite::memory:",
            "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "token-token-token",
            "TWILIO_FROM_NUMBER": "+15550009999", "OTP_LENGTH": "8", "OTP_TTL_SECONDS": "600",
            "OTP_RESEND_COOLDOWN_SECONDS": "45", "OTP_MAX_SENDS_PER_HOUR": "3", "OTP_MAX_POLICIES_PER_DAY": "2", "SESSION_IDLE_SECONDS": "600",
            "BUSINESS_HELP_CONTACT": "https://acme.example/help", "PHONE_DEFAULT_REGION": "GB",
            "TWILIO_MESSAGING_SERVICE_SID": "MG0123456789abcdef0123456789abcdef",
            "TWILIO_API_KEY_SID": "SK0123456789abcdef0123456789abcdef", "TWILIO_API_KEY_SECRET": "key-secret",
            "TWILIO_TIMEOUT_SECONDS": "3", "API_ALLOWED_COUNTRIES": "us, gb,JM", "API_MAX_SENDS_PER_HOUR": "50",
            "API_REQUESTS_PER_MINUTE": "600",
        ])
        let configuration = try AppConfiguration.load(from: ConfigReader(provider: environment))
        #expect(configuration.http.port == 9090)
        #expect(configuration.publicURL == "https://bot.example.com")
        #expect(configuration.database == .sqliteInMemory)
        #expect(configuration.twilio.accountSID == "AC0123456789abcdef0123456789abcdef")
        #expect(configuration.twilio.authToken == Secret("token-token-token"))
        #expect(configuration.twilio.messagingServiceSID == "MG0123456789abcdef0123456789abcdef")
        #expect(configuration.sender == .twilio)
        #expect(configuration.otp.length == 8 && configuration.otp.ttlSeconds == 600)
        #expect(configuration.otp.resendCooldownSeconds == 45 && configuration.otp.maxSendsPerHour == 3)
        #expect(configuration.otp.maxPoliciesPerDay == 2)
        #expect(configuration.sessionIdleSeconds == 600)
        #expect(configuration.helpContact == "https://acme.example/help" && configuration.phoneDefaultRegion == "GB")
        #expect(!WebhookAuthenticator(configuration: configuration).isDevelopmentMode)
        #expect(configuration.twilio.apiKeySID == "SK0123456789abcdef0123456789abcdef")
        #expect(configuration.twilio.apiKeySecret == Secret("key-secret"))
        #expect(configuration.twilio.timeoutSeconds == 3)
        #expect(configuration.api.allowedCountries == ["US", "GB", "JM"] && configuration.api.maxSendsPerHour == 50)
        #expect(configuration.api.requestsPerMinute == 600)
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() throws {
        let reader = ConfigReader(providers: [
            InMemoryProvider(values: ["http.port": .init(.string("7001"), isSecret: false)]),
            EnvironmentVariablesProvider(environmentVariables: ["HTTP_PORT": "7002", "HTTP_HOST": "0.0.0.0"]),
            InMemoryProvider(values: [
                "http.port": .init(.string("7003"), isSecret: false), "http.host": .init(.string("::1"), isSecret: false),
                "business.name": .init(.string("Filed Co"), isSecret: false),
            ]),
        ])
        let configuration = try AppConfiguration.load(from: reader)
        #expect(configuration.http.port == 7001)
        #expect(configuration.http.host == "0.0.0.0")
        #expect(configuration.businessName == "Filed Co")
    }

    @Test(arguments: [
        ("http.port", "70000"), ("http.port", "eighty"), ("public.url", "bot.example.com"), ("public.url", "ftp://x"),
        ("database.url", "mysql://db"), ("database.url", "sqlite:"), ("twilio.accountSid", "AC123"),
        ("twilio.fromNumber", "555-0100"), ("twilio.messagingServiceSid", "XX0123456789abcdef0123456789abcdef"),
        ("twilio.apiBaseUrl", "api.twilio.com"), ("sms.sender", "carrier-pigeon"), ("sms.sender", "twilio"),
        ("otp.length", "5"), ("otp.length", "11"), ("otp.ttlSeconds", "601"), ("otp.maxAttempts", "0"),
        ("otp.resendCooldownSeconds", "-1"), ("otp.maxSendsPerHour", "0"), ("otp.maxPoliciesPerDay", "0"), ("admin.token", "shorter-than-32-characters"), ("otp.lockoutSeconds", "0"),
        ("twilio.apiKeySid", "AC0123456789abcdef0123456789abcdef"), ("twilio.apiKeySecret", "secret-without-sid"),
        ("twilio.timeoutSeconds", "0"), ("session.idleSeconds", "10"), ("phone.defaultRegion", "USA"), ("secrets.key", "short"),
        ("business.name", String(repeating: "A", count: 31)), ("business.name", "保险公司"), ("business.helpContact", "call 📞 us"), ("business.helpContact", String(repeating: "€", count: 16)),
        ("api.allowedCountries", "US,XX"), ("api.allowedCountries", " , "), ("api.maxSendsPerHour", "0"), ("api.requestsPerMinute", "lots"),
    ])
    func anUnusableValueStopsStartUpNamingTheKey(key: String, value: String) {
        #expect {
            try load([key: value])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == key && error.description.hasPrefix("invalid configuration: \(key): ") && !error.description.contains("\n")
        }
    }

    @Test func secretsNeverAppearInErrorsOrDescriptions() throws {
        let password = "hunter2-very-secret"
        #expect {
            try load(["database.url": "mysql://app:\(password)@db/smsbot"])
        } throws: { error in
            !"\(error)".contains(password)
        }
        #expect {
            try load(["secrets.key": password])
        } throws: { error in
            !"\(error)".contains(password)
        }
        let configuration = try load([
            "twilio.accountSid": "AC0123456789abcdef0123456789abcdef", "twilio.authToken": password, "sms.sender": "console",
            "database.url": "postgres://app:\(password)@db/smsbot",
        ])
        #expect(!"\(configuration)".contains(password))
        #expect(!String(reflecting: configuration).contains(password))
    }

    @Test func theTwilioSenderNeedsCredentialsAndASender() throws {
        let credentials = ["twilio.accountSid": "AC0123456789abcdef0123456789abcdef", "twilio.authToken": "t"]
        #expect(throws: ConfigurationError.self) { try load(credentials) }
        #expect(try load(credentials.merging(["twilio.fromNumber": "+15550009999"]) { $1 }).sender == .twilio)
        #expect(try load(credentials.merging(["twilio.fromNumber": "+15550009999", "sms.sender": "console"]) { $1 }).sender == .console)
    }

    @Test(arguments: [
        ("http:\n  port: 8080\n  host: [unclosed\nsecrets:\n  key: \"yaml-secret-0123456789abcdef-0123\"\n", "4:8"),
        ("a: 1\n  b: yaml-secret-0123456789abcdef-0123\n", "2:4"),
    ])
    func aYAMLSyntaxErrorNamesFileLineAndColumnOnly(yaml: String, position: String) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("smsbot.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let error = await #expect(throws: (any Error).self) {
            try await FileProvider<YAMLSnapshot>(
                config: ConfigReader(provider: InMemoryProvider(values: ["filePath": .init(.string(path), isSecret: false)])))
        }
        let message = ConfigurationFileError.describe(try #require(error), file: path)
        #expect(message == "configuration file \(path):\(position): not valid YAML")
    }

    @Test func anAuthTokenAndAnAccountSIDComeTogether() {
        #expect(throws: ConfigurationError(key: "twilio.accountSid", reason: "required with twilio.authToken")) {
            try load(["twilio.authToken": "token-without-an-account"])
        }
        #expect(throws: ConfigurationError(key: "twilio.authToken", reason: "required with twilio.accountSid")) {
            try load(["twilio.accountSid": "AC0123456789abcdef0123456789abcdef"])
        }
    }
}
