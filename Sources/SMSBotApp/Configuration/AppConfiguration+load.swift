public import Configuration
import SMSBotCore
import SMSBotStorage

extension AppConfiguration {
    /// Reads and validates every key of SPEC §2 from `reader`.
    ///
    /// - Throws: ``ConfigurationError`` naming the first key whose value cannot be used.
    public static func load(from reader: ConfigReader) throws(ConfigurationError) -> AppConfiguration {
        let values = ConfigValues(reader: reader)
        var config = AppConfiguration()

        config.http.host = try values.string("http.host", default: config.http.host) { $0.isEmpty ? "must not be empty" : nil }
        config.http.port = try values.int("http.port", default: config.http.port, in: 0...65535)
        config.publicURL = try values.optionalString("public.url").map { url throws(ConfigurationError) in
            try Self.httpURL(url, key: "public.url")
        }
        let databaseURL = try values.optionalString("database.url", isSecret: true)
        if let databaseURL {
            guard let location = DatabaseLocation(url: databaseURL) else {
                throw ConfigurationError(
                    key: "database.url", reason: "expected sqlite:PATH, sqlite::memory: or postgres://user:pass@host:5432/db")
            }
            config.database = location
        }

        config.twilio.accountSID = try values.optionalString("twilio.accountSid").map { sid throws(ConfigurationError) in
            guard Self.isSID(sid, prefix: "AC") else {
                throw ConfigurationError(key: "twilio.accountSid", reason: "expected AC followed by 32 hex digits")
            }
            return sid
        }
        config.twilio.authToken = try values.optionalString("twilio.authToken", isSecret: true).map(Secret.init)
        config.twilio.webhookSigningKey = try values.optionalString("twilio.webhookSigningKey", isSecret: true).map(Secret.init)
        config.twilio.fromNumber = try values.optionalString("twilio.fromNumber").map { number throws(ConfigurationError) in
            guard PhoneNumber(e164: number) != nil else {
                throw ConfigurationError(key: "twilio.fromNumber", reason: "expected an E.164 number such as +15550009999")
            }
            return number
        }
        config.twilio.messagingServiceSID = try values.optionalString("twilio.messagingServiceSid").map { sid throws(ConfigurationError) in
            guard Self.isSID(sid, prefix: "MG") else {
                throw ConfigurationError(key: "twilio.messagingServiceSid", reason: "expected MG followed by 32 hex digits")
            }
            return sid
        }
        if let apiBaseURL = try values.optionalString("twilio.apiBaseUrl") {
            config.twilio.apiBaseURL = try Self.httpURL(apiBaseURL, key: "twilio.apiBaseUrl")
        }

        config.twilio.apiKeySID = try values.optionalString("twilio.apiKeySid").map { sid throws(ConfigurationError) in
            guard Self.isSID(sid, prefix: "SK") else {
                throw ConfigurationError(key: "twilio.apiKeySid", reason: "expected SK followed by 32 hex digits")
            }
            return sid
        }
        config.twilio.apiKeySecret = try values.optionalString("twilio.apiKeySecret", isSecret: true).map(Secret.init)
        if (config.twilio.apiKeySID == nil) != (config.twilio.apiKeySecret == nil) {
            throw ConfigurationError(key: "twilio.apiKeySecret", reason: "twilio.apiKeySid and twilio.apiKeySecret go together")
        }
        config.twilio.timeoutSeconds = try values.int("twilio.timeoutSeconds", default: config.twilio.timeoutSeconds, in: 1...60)

        // One without the other would quietly fall back to development mode (console SMS, no signatures).
        if config.twilio.authToken != nil, config.twilio.accountSID == nil {
            throw ConfigurationError(key: "twilio.accountSid", reason: "required with twilio.authToken")
        }
        if config.twilio.accountSID != nil, config.twilio.authToken == nil {
            throw ConfigurationError(key: "twilio.authToken", reason: "required with twilio.accountSid")
        }
        config.sender = try Self.sender(values.optionalString("sms.sender"), twilio: config.twilio)

        config.businessName = try values.string("business.name", default: config.businessName, check: Self.fitsOneSegment)
        config.helpContact = try values.string("business.helpContact", default: config.helpContact, check: Self.fitsOneSegment)

        config.otp.length = try values.int("otp.length", default: config.otp.length, in: 6...10)
        config.otp.ttlSeconds = try values.int("otp.ttlSeconds", default: config.otp.ttlSeconds, in: 30...600)
        config.otp.maxAttempts = try values.int("otp.maxAttempts", default: config.otp.maxAttempts, in: 1...20)
        config.otp.resendCooldownSeconds = try values.int(
            "otp.resendCooldownSeconds", default: config.otp.resendCooldownSeconds, in: 0...3600)
        config.otp.maxSendsPerHour = try values.int("otp.maxSendsPerHour", default: config.otp.maxSendsPerHour, in: 1...100)
        config.otp.maxPoliciesPerDay = try values.int("otp.maxPoliciesPerDay", default: config.otp.maxPoliciesPerDay, in: 1...100)
        config.otp.lockoutSeconds = try values.int("otp.lockoutSeconds", default: config.otp.lockoutSeconds, in: 1...86400)
        config.sessionIdleSeconds = try values.int("session.idleSeconds", default: config.sessionIdleSeconds, in: 60...86400)

        config.secretsKey = try values.optionalString("secrets.key", isSecret: true).map { key throws(ConfigurationError) in
            guard key.utf8.count >= 32 else {
                throw ConfigurationError(key: "secrets.key", reason: "must be at least 32 characters")
            }
            return Secret(key)
        }
        config.adminToken = try values.optionalString("admin.token", isSecret: true).map { token throws(ConfigurationError) in
            guard token.utf8.count >= 32 else {
                throw ConfigurationError(key: "admin.token", reason: "must be at least 32 characters")
            }
            return Secret(token)
        }
        let countries = try values.string("api.allowedCountries", default: config.api.allowedCountries.sorted().joined(separator: ",")) {
            let codes = $0.split(separator: ",").map { $0.trimming(\.isWhitespace).uppercased() }
            if let unknown = codes.first(where: { !PhoneNumber.isKnownCountry($0) }) {
                return "unknown country \"\(unknown)\"; expected ISO 3166 codes separated by commas, such as US,CA"
            }
            return codes.isEmpty ? "must name at least one country" : nil
        }
        config.api.allowedCountries = Set(countries.split(separator: ",").map { $0.trimming(\.isWhitespace).uppercased() })
        config.api.maxSendsPerHour = try values.int("api.maxSendsPerHour", default: config.api.maxSendsPerHour, in: 1...1_000_000)
        config.api.requestsPerMinute = try values.int("api.requestsPerMinute", default: config.api.requestsPerMinute, in: 1...1_000_000)
        config.templatesPath = try values.optionalString("templates.path").map { path throws(ConfigurationError) in
            guard !path.isEmpty else { throw ConfigurationError(key: "templates.path", reason: "must not be empty") }
            return path
        }
        config.phoneDefaultRegion = try values.string("phone.defaultRegion", default: config.phoneDefaultRegion) { region in
            PhoneNumber.callingCodes[region] != nil
                ? nil : "unknown region; expected one of \(PhoneNumber.callingCodes.keys.sorted().joined(separator: ", "))"
        }
        return config
    }

    /// The sender named by `sms.sender`, by default `twilio` when credentials are set; a Twilio
    /// sender must have credentials and something to send from.
    private static func sender(_ name: String?, twilio: Twilio) throws(ConfigurationError) -> SenderKind {
        let hasCredentials = twilio.accountSID != nil && twilio.authToken != nil
        let kind: SenderKind
        if let name {
            guard let named = SenderKind(rawValue: name.lowercased()) else {
                throw ConfigurationError(key: "sms.sender", reason: "unknown sender \"\(name)\"; expected twilio or console")
            }
            guard named == .console || hasCredentials else {
                throw ConfigurationError(key: "sms.sender", reason: "twilio needs twilio.accountSid and twilio.authToken")
            }
            kind = named
        } else {
            kind = hasCredentials ? .twilio : .console
        }
        if kind == .twilio, twilio.fromNumber == nil, twilio.messagingServiceSID == nil {
            throw ConfigurationError(
                key: "twilio.fromNumber", reason: "required to send through Twilio (or set twilio.messagingServiceSid)")
        }
        return kind
    }

    /// An absolute http(s) URL with a host, returned without its trailing slash.
    private static func httpURL(_ value: String, key: String) throws(ConfigurationError) -> String {
        let lowered = value.lowercased()
        let scheme = lowered.hasPrefix("https://") ? "https://" : lowered.hasPrefix("http://") ? "http://" : nil
        guard let scheme else {
            throw ConfigurationError(key: key, reason: "expected an http:// or https:// URL, got \"\(value)\"")
        }
        let host = value.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, !value.contains("#"), !value.contains(" ") else {
            throw ConfigurationError(key: key, reason: "expected an http:// or https:// URL with a host, got \"\(value)\"")
        }
        var url = value
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// HELP and the code SMS must fit one GSM-7 segment with the business name and help contact in them.
    private static func fitsOneSegment(_ value: String) -> String? {
        let segments = SMSSegments(value)
        if value.isEmpty { return "must not be empty" }
        if segments.encoding != .gsm7 { return "must use only GSM-7 characters, so HELP and the code SMS fit one segment" }
        if segments.units > 30 { return "must be at most 30 GSM-7 characters (^{}[]~|€ count twice), so HELP fits one segment" }
        return nil
    }

    private static func isSID(_ value: String, prefix: String) -> Bool {
        value.utf8.count == 34 && value.hasPrefix(prefix) && value.dropFirst(2).allSatisfy(\.isHexDigit)
    }
}
