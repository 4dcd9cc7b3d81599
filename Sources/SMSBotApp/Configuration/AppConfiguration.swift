public import SMSBotStorage
public import SMSBotCore

/// Everything smsbot is configured with (SPEC §2), typed and validated.
///
/// The defaults are the embedded default: SQLite under `data/`, the console sender,
/// development mode. Build one with ``load(from:)`` or set fields directly in tests.
public struct AppConfiguration: Sendable {
    /// The HTTP listener.
    public struct HTTP: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// Not configuration keys (SPEC §3 fixes them); tests shorten them. A connection idle
        /// this long is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// A request whose head and body have not arrived this long after its first byte: closed.
        public var requestTimeout: Duration = .seconds(10)
    }

    /// The Twilio account, webhook signing and Messages API settings.
    public struct Twilio: Sendable {
        public var accountSID: String?
        public var authToken: Secret?
        public var webhookSigningKey: Secret?
        public var fromNumber: String?
        public var messagingServiceSID: String?
        public var apiBaseURL = "https://api.twilio.com"
        /// An API key to authenticate REST calls with instead of the account's auth token.
        public var apiKeySID: String?
        public var apiKeySecret: Secret?
        /// How long one Messages API call may take, connect to last byte.
        public var timeoutSeconds = 10
    }

    /// How outbound SMS leave the server.
    public enum SenderKind: String, Sendable {
        /// Through the Twilio Messages REST API.
        case twilio
        /// Printed to standard output; nothing is sent.
        case console
    }

    /// One-time passcode rules.
    public struct OTP: Sendable {
        public var length = 6
        public var ttlSeconds = 300
        public var maxAttempts = 5
        public var resendCooldownSeconds = 30
        public var maxSendsPerHour = 5
        public var maxPoliciesPerDay = 3
        public var lockoutSeconds = 900
    }

    /// The verification API's limits against SMS pumping and abuse (SPEC §8).
    public struct API: Sendable {
        /// ISO 3166 codes of the countries a phone the caller gives may be in.
        public var allowedCountries: Set<String> = ["US", "CA"]
        /// Codes the whole API may issue per rolling hour.
        public var maxSendsPerHour = 1000
        /// Requests one access key may make per minute (every route with a credential).
        public var requestsPerMinute = 120
    }

    public var http = HTTP()
    /// The external base URL Twilio calls, without a trailing slash.
    public var publicURL: String?
    public var database = DatabaseLocation.sqliteFile(path: "data/smsbot.sqlite")
    public var twilio = Twilio()
    public var sender = SenderKind.console
    public var businessName = "Acme Insurance"
    public var helpContact = "1-800-555-0100"
    public var otp = OTP()
    public var sessionIdleSeconds = 900
    public var secretsKey: Secret?
    public var adminToken: Secret?
    public var api = API()
    /// A folder of `.mustache` files replacing built-in templates of the same name; none by default.
    public var templatesPath: String?
    public var phoneDefaultRegion = "US"
    /// Not a configuration key: `--demo` sets it to load the built-in demo policies when they are not stored yet.
    public var loadsDemoPolicies = false

    /// The embedded default.
    public init() {}
}
