public import Crypto
import Foundation

/// Computes and checks Twilio webhook signatures exactly as Twilio's helper libraries do.
///
/// The signed text is the full URL Twilio requested, then each POST parameter name followed by
/// its value, names in sorted order and, for a repeated name, each distinct value in sorted order.
public enum WebhookSignature {
    /// Whether `signature` (base64, as sent in `X-Twilio-Signature`) is valid for `url` and `parameters`.
    ///
    /// The URL is tried as given, and also with its port removed or the scheme's default port
    /// added, since Twilio may sign either form. Each comparison takes constant time.
    public static func isValid(
        _ signature: String,
        url: String,
        parameters: FormParameters,
        key: String,
        algorithm: SignatureAlgorithm
    ) -> Bool {
        guard let expected = Data(base64Encoded: signature) else { return false }
        let key = SymmetricKey(data: Data(key.utf8))
        let signedParameters = signedText(of: parameters)
        // Which variant matched is no secret (the URL is public), so the first match ends the
        // search; each comparison itself takes constant time.
        return urlVariants(of: url).contains { candidate in
            isValid(expected, message: Data((candidate + signedParameters).utf8), key: key, algorithm: algorithm)
        }
    }

    /// The base64 signature of `url` and `parameters`: what Twilio would send.
    public static func compute(
        url: String,
        parameters: FormParameters,
        key: String,
        algorithm: SignatureAlgorithm
    ) -> String {
        let key = SymmetricKey(data: Data(key.utf8))
        let message = Data((url + signedText(of: parameters)).utf8)
        switch algorithm {
        case .hmacSHA1:
            return Data(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key)).base64EncodedString()
        case .hmacSHA256:
            return Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).base64EncodedString()
        }
    }

    private static func isValid(_ code: Data, message: Data, key: SymmetricKey, algorithm: SignatureAlgorithm) -> Bool {
        switch algorithm {
        case .hmacSHA1:
            HMAC<Insecure.SHA1>.isValidAuthenticationCode(code, authenticating: message, using: key)
        case .hmacSHA256:
            HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key)
        }
    }

    /// Names sorted, then each name's distinct values sorted, by Unicode scalar as Python sorts
    /// (and, as there, two strings are the same only when their scalars are).
    static func signedText(of parameters: FormParameters) -> String {
        let sorted = parameters.pairs.sorted { lhs, rhs in
            sameScalars(lhs.name, rhs.name)
                ? precedesByScalar(lhs.value, rhs.value) : precedesByScalar(lhs.name, rhs.name)
        }
        var text = ""
        var previous: (name: String, value: String)?
        for pair in sorted {
            if let previous, sameScalars(previous.name, pair.name), sameScalars(previous.value, pair.value) { continue }
            text += pair.name
            text += pair.value
            previous = pair
        }
        return text
    }

    private static func sameScalars(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }

    /// The URL as given plus the variant without its port, or with the scheme's default port.
    static func urlVariants(of url: String) -> [String] {
        guard let schemeEnd = url.range(of: "://") else { return [url] }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = url[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        let hostEnd = authority.lastIndex(of: "]") ?? authority.startIndex
        let prefix = url[..<authorityStart]
        let rest = url[authorityEnd...]
        if let colon = authority[hostEnd...].lastIndex(of: ":") {
            return [url, String(prefix + authority[..<colon] + rest)]
        }
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "https": return [url, String(prefix + authority + ":443" + rest)]
        case "http": return [url, String(prefix + authority + ":80" + rest)]
        default: return [url]
        }
    }

    /// UTF-8 byte order is Unicode scalar order, and cheaper to compare.
    private static func precedesByScalar(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
