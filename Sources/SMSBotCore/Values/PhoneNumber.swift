/// A phone number in E.164 form (`+` then 8 to 15 digits, no leading zero),
/// optionally on the WhatsApp channel.
///
/// `description` is masked so a phone number never reaches a log by accident;
/// use ``e164`` where the full number is really needed (storage, sending).
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number in E.164 form, without any channel prefix.
    public let e164: String
    /// Whether the number arrived with a `whatsapp:` prefix.
    public let isWhatsApp: Bool

    private static let whatsAppPrefix = "whatsapp:"

    /// Parses Twilio's `From`/`To` form: `+15551230001` or `whatsapp:+15551230001`.
    /// Returns `nil` for anything else.
    public init?(twilioAddress: String) {
        var rest = Substring(twilioAddress)
        var whatsApp = false
        if rest.lowercased().hasPrefix(Self.whatsAppPrefix) {
            rest = rest.dropFirst(Self.whatsAppPrefix.count)
            whatsApp = true
        }
        guard Self.isE164(rest) else { return nil }
        self.e164 = String(rest)
        self.isWhatsApp = whatsApp
    }

    /// Parses a plain E.164 number (no channel prefix).
    public init?(e164: String) {
        guard Self.isE164(Substring(e164)) else { return nil }
        self.e164 = e164
        self.isWhatsApp = false
    }

    /// The address as Twilio expects it in `To`/`From`.
    public var twilioAddress: String {
        isWhatsApp ? Self.whatsAppPrefix + e164 : e164
    }

    /// The number with its middle hidden, e.g. `+1555***0001`: safe for logs and audit rows.
    public var masked: String { Self.mask(e164) }

    public var description: String { masked }

    /// Masks any string that may hold a phone number: keeps the first 5 and last 4 characters.
    public static func mask(_ value: String) -> String {
        guard value.count > 9 else { return String(repeating: "*", count: max(value.count, 3)) }
        return "\(value.prefix(5))***\(value.suffix(4))"
    }

    private static func isE164(_ value: Substring) -> Bool {
        let utf8 = value.utf8
        guard utf8.first == UInt8(ascii: "+") else { return false }
        let digits = utf8.dropFirst()
        guard (8...15).contains(digits.count), digits.first != UInt8(ascii: "0") else { return false }
        return digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
