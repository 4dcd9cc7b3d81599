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
    /// (control characters other than tab, newline and carriage return, lone surrogates, U+FFFE/U+FFFF).
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
