/// The HMAC a Twilio webhook signature is made with.
public enum SignatureAlgorithm: String, Sendable {
    /// The classic `X-Twilio-Signature`, keyed with the account's auth token.
    case hmacSHA1 = "HMAC_SHA1"
    /// Named by `X-Twilio-Webhooks-Signature-Settings`, keyed with a webhook signing key's secret.
    case hmacSHA256 = "HMAC_SHA256"

    /// The algorithm named by an `X-Twilio-Webhooks-Signature-Settings` header such as
    /// `key=webhooks_sharedkey_abc123,algorithm=HMAC_SHA256`; `nil` when it names none we know.
    public init?(settingsHeader: String) {
        let fields = settingsHeader.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1) }
        guard
            let field = fields.first(where: { $0.count == 2 && $0[0].trimmingSpaces.lowercased() == "algorithm" }),
            let algorithm = SignatureAlgorithm(rawValue: field[1].trimmingSpaces.uppercased())
        else { return nil }
        self = algorithm
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var trimmed = self
        while trimmed.first == " " { trimmed.removeFirst() }
        while trimmed.last == " " { trimmed.removeLast() }
        return trimmed
    }
}
