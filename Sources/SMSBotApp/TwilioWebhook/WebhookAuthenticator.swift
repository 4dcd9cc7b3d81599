import HTTPTypes
import Hummingbird
import Logging
import TwilioKit
import SMSBotCore

/// Decides whether a request really comes from Twilio for our account (SPEC §3).
///
/// With no auth token and no signing key configured the server is in development mode and
/// accepts unsigned requests; otherwise every request must carry a valid signature.
struct WebhookAuthenticator: Sendable {
    let authToken: Secret?
    let signingKey: Secret?
    let accountSID: String?
    /// The external base URL Twilio calls; when unset the URL is rebuilt from the request.
    let publicURL: String?

    init(configuration: AppConfiguration) {
        self.authToken = configuration.twilio.authToken
        self.signingKey = configuration.twilio.webhookSigningKey
        self.accountSID = configuration.twilio.accountSID
        self.publicURL = configuration.publicURL
    }

    var isDevelopmentMode: Bool { authToken == nil && signingKey == nil }

    /// Throws ``WebhookError/forbidden`` unless the request is signed as Twilio signs it.
    /// The log line names the URL that was validated, never a key or a signature.
    func verifySignature(of request: Request, parameters: FormParameters, logger: Logger) throws {
        guard !isDevelopmentMode else { return }
        let url = signedURL(of: request)
        let settings = request.headers[HTTPField.Name("X-Twilio-Webhooks-Signature-Settings")!]
        let algorithm: SignatureAlgorithm
        let key: Secret?
        if let settings {
            guard let named = SignatureAlgorithm(settingsHeader: settings) else {
                logger.warning("webhook refused: unsupported signature settings", metadata: ["url": "\(url)"])
                throw WebhookError.forbidden
            }
            (algorithm, key) = (named, signingKey)
        } else {
            (algorithm, key) = (.hmacSHA1, authToken)
        }
        guard let key else {
            logger.warning(
                "webhook refused: no key configured for its signature", metadata: ["url": "\(url)", "algorithm": "\(algorithm.rawValue)"])
            throw WebhookError.forbidden
        }
        guard let signature = request.headers[HTTPField.Name("X-Twilio-Signature")!] else {
            logger.warning("webhook refused: no X-Twilio-Signature", metadata: ["url": "\(url)"])
            throw WebhookError.forbidden
        }
        guard WebhookSignature.isValid(signature, url: url, parameters: parameters, key: key.value, algorithm: algorithm) else {
            logger.warning(
                "webhook refused: signature does not match; check public.url if this server is behind a proxy",
                metadata: ["url": "\(url)", "algorithm": "\(algorithm.rawValue)"])
            throw WebhookError.forbidden
        }
    }

    /// Throws ``WebhookError/wrongAccount`` when an account is configured and `accountSID` is another.
    func verifyAccount(_ accountSID: String) throws {
        if let expected = self.accountSID, expected != accountSID {
            throw WebhookError.wrongAccount
        }
    }

    private func signedURL(of request: Request) -> String {
        if let publicURL {
            return publicURL + request.pathAndQuery
        }
        let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" ? "https" : "http"
        return "\(scheme)://\(request.head.authority ?? "localhost")\(request.pathAndQuery)"
    }
}
