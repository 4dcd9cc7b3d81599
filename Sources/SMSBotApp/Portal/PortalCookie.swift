import Crypto
import Foundation
import Hummingbird
import SMSBotCore
import SMSBotStorage

/// The portal's session cookie: a random id the browser holds, stored server-side as its SHA-256.
enum PortalCookie {
    static let name = "smsbot_portal"

    /// A new session id: 256 random bits, in hex.
    static func newID() -> String {
        var random = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }.lowercaseHex
    }

    /// The session id the request carries, if any.
    static func id(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimming(\.isWhitespace) == name {
                    let value = String(parts[1].trimming(\.isWhitespace))
                    return value.utf8.count == 64 ? value : nil
                }
            }
        }
        return nil
    }

    /// The stored form of a session id.
    static func digest(_ id: String) -> String {
        SHA256.hash(data: Array(id.utf8)).lowercaseHex
    }

    /// `Set-Cookie` for a new session: only for `/portal`, never to scripts, never cross-site,
    /// and only over TLS when the public URL is https.
    static func setting(_ id: String, secure: Bool) -> String {
        "\(name)=\(id); Path=/portal; HttpOnly; SameSite=Strict; Max-Age=\(Int(PortalSession.absoluteLimit))" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that removes the session cookie.
    static func clearing(secure: Bool) -> String {
        "\(name)=; Path=/portal; HttpOnly; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "")
    }

}
