/// A policy number in canonical form: ASCII letters and digits, upper case, without the spaces
/// and hyphens customers type in different ways (`auto 1001`, `AUTO-1001` → `AUTO1001`).
public struct PolicyNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The canonical form, used as the key in storage.
    public let canonical: String

    /// The shortest and longest canonical policy number recognised.
    public static let lengthRange = 4...24

    /// Canonicalises `text`; `nil` unless what remains is 4–24 letters and digits with at least one digit.
    public init?(_ text: some StringProtocol) {
        var canonical = ""
        for byte in text.utf8 where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "-") {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"): canonical.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): canonical.unicodeScalars.append(Unicode.Scalar(byte - 32))
            default: return nil  // anything else, non-ASCII included
            }
        }
        guard Self.lengthRange.contains(canonical.utf8.count), canonical.utf8.contains(where: { (48...57).contains($0) }) else {
            return nil
        }
        self.canonical = canonical
    }

    public var description: String { canonical }

    /// Every way of reading a policy number out of free text, most likely first.
    ///
    /// Words are runs of letters, digits and hyphens; one to three adjacent words are joined
    /// (so `auto 1001` is found). Readings that mix letters and digits come first, then those
    /// joining fewer words, then earlier ones: `on auto 1001` gives `AUTO1001` before
    /// `ONAUTO1001` and `1001`. At most `limit` are returned.
    public static func candidates(in text: String, limit: Int = 32) -> [PolicyNumber] {
        let words = text.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }.prefix(64)
        var found: [(number: PolicyNumber, rank: (Int, Int, Int))] = []
        var seen: Set<PolicyNumber> = []
        for start in words.indices {
            for length in 1...min(3, words.endIndex - start) {
                guard let candidate = PolicyNumber(words[start..<(start + length)].joined()), seen.insert(candidate).inserted
                else { continue }
                let mixed = candidate.canonical.utf8.contains { $0 >= UInt8(ascii: "A") }
                found.append((candidate, (mixed ? 0 : 1, length, start)))
            }
        }
        return found.sorted { $0.rank < $1.rank }.prefix(limit).map(\.number)
    }
}
