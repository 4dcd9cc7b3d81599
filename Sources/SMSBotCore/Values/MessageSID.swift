/// The identifier Twilio gives a message (`SM…` or `MM…` followed by 32 hex digits).
public struct MessageSID: Hashable, Sendable, CustomStringConvertible {
    /// The identifier as Twilio sent it.
    public let rawValue: String

    /// Accepts any non-empty identifier of at most 64 printable ASCII characters without spaces:
    /// Twilio's format is not promised, but an unbounded or binary key is refused.
    public init?(_ rawValue: String) {
        let utf8 = rawValue.utf8
        guard (1...64).contains(utf8.count), utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}
