/// A TwiML `<Response>` holding zero or more `<Message>` replies.
public struct TwiMLResponse: Sendable, Equatable {
    /// The reply texts, in the order they are sent.
    public var messages: [String]

    /// Creates a response that replies with `messages`; none gives an empty `<Response/>`.
    public init(messages: [String] = []) {
        self.messages = messages
    }

    /// The media type Twilio expects for TwiML.
    public static let contentType = "text/xml; charset=utf-8"

    /// The XML document, escaped and well formed whatever the texts hold.
    public var xml: String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"#
        guard !messages.isEmpty else { return xml + "<Response/>" }
        xml += "<Response>"
        for message in messages {
            xml += "<Message>" + Self.escape(message) + "</Message>"
        }
        return xml + "</Response>"
    }

    /// Escapes text for XML content, dropping characters XML 1.0 cannot carry at all
    /// (control characters other than tab, newline and carriage return, U+FFFE and U+FFFF).
    ///
    /// Works on UTF-8 bytes: everything escaped or dropped is ASCII, or U+FFFE/U+FFFF
    /// (`EF BF BE`/`EF BF BF`), and no other character's encoding contains those bytes.
    static func escape(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var escaped: [UInt8] = []
            escaped.reserveCapacity(bytes.count + 16)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "&"): escaped += "&amp;".utf8
                case UInt8(ascii: "<"): escaped += "&lt;".utf8
                case UInt8(ascii: ">"): escaped += "&gt;".utf8
                case UInt8(ascii: "\""): escaped += "&quot;".utf8
                case UInt8(ascii: "'"): escaped += "&apos;".utf8
                case UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): escaped.append(byte)
                case ..<0x20: continue
                case 0xEF where index + 1 < bytes.count && bytes[index] == 0xBF && bytes[index + 1] >= 0xBE:
                    index += 2  // U+FFFE or U+FFFF
                default: escaped.append(byte)
                }
            }
            return String(decoding: escaped, as: UTF8.self)
        }
    }
}
