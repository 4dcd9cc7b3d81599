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
        let key = SymmetricKey(data: Array(key.utf8))
        let signedParameters = signedBytes(of: parameters)
        // Which variant matched is no secret (the URL is public), so the first match ends the
        // search; each comparison itself takes constant time.
        return urlVariants(of: url).contains { candidate in
            isValid(expected, message: Array(candidate.utf8) + signedParameters, key: key, algorithm: algorithm)
        }
    }

    /// The base64 signature of `url` and `parameters`: what Twilio would send.
    public static func compute(
        url: String,
        parameters: FormParameters,
        key: String,
        algorithm: SignatureAlgorithm
    ) -> String {
        let key = SymmetricKey(data: Array(key.utf8))
        let message = Array(url.utf8) + signedBytes(of: parameters)
        switch algorithm {
        case .hmacSHA1:
            return Data(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key)).base64EncodedString()
        case .hmacSHA256:
            return Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).base64EncodedString()
        }
    }

    private static func isValid(_ code: Data, message: [UInt8], key: SymmetricKey, algorithm: SignatureAlgorithm) -> Bool {
        switch algorithm {
        case .hmacSHA1:
            HMAC<Insecure.SHA1>.isValidAuthenticationCode(code, authenticating: message, using: key)
        case .hmacSHA256:
            HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key)
        }
    }

    /// The signed text after the URL: names sorted, then each name's distinct values sorted, by
    /// Unicode scalar as Python sorts (and, as there, two strings are the same only when their
    /// scalars are), as UTF-8.
    static func signedBytes(of parameters: FormParameters) -> [UInt8] {
        let sorted = parameters.pairs.sorted { lhs, rhs in
            sameScalars(lhs.name, rhs.name)
                ? precedesByScalar(lhs.value, rhs.value) : precedesByScalar(lhs.name, rhs.name)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sorted.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        var previous: (name: String, value: String)?
        for pair in sorted {
            if let previous, sameScalars(previous.name, pair.name), sameScalars(previous.value, pair.value) { continue }
            bytes += pair.name.utf8
            bytes += pair.value.utf8
            previous = pair
        }
        return bytes
    }

    private static func sameScalars(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }

    /// The URL as given plus the variant without its port, or with the scheme's default port.
    static func urlVariants(of url: String) -> [String] {
        let bytes = url.utf8
        guard let schemeEnd = schemeSeparator(in: bytes) else { return [url] }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd =
            bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        let authority = bytes[authorityStart..<authorityEnd]
        let hostEnd = authority.lastIndex(of: UInt8(ascii: "]")) ?? authority.startIndex
        if let colon = authority[hostEnd...].lastIndex(of: UInt8(ascii: ":")) {
            return [url, String(url[..<colon]) + url[authorityEnd...]]
        }
        let defaultPort: String
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "https": defaultPort = ":443"
        case "http": defaultPort = ":80"
        default: return [url]
        }
        return [url, String(url[..<authorityEnd]) + defaultPort + url[authorityEnd...]]
    }

    /// Where the first `://` is.
    private static func schemeSeparator(in bytes: String.UTF8View) -> Range<String.Index>? {
        var index = bytes.startIndex
        while let colon = bytes[index...].firstIndex(of: UInt8(ascii: ":")) {
            let end = bytes.index(colon, offsetBy: 3, limitedBy: bytes.endIndex) ?? bytes.endIndex
            if bytes[colon..<end].elementsEqual("://".utf8) { return colon..<end }
            index = bytes.index(after: colon)
        }
        return nil
    }

    /// UTF-8 byte order is Unicode scalar order, and cheaper to compare.
    private static func precedesByScalar(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
