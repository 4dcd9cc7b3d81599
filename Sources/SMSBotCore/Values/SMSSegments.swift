/// How many SMS segments a text needs (3GPP TS 23.038).
///
/// Text made only of GSM-7 characters is sent 7 bits a character, 160 in one segment or 153
/// per segment once split; characters of the extension table (`^{}\[~]|€` and form feed)
/// take two. Anything else forces UCS-2: 70 UTF-16 units in one segment, 67 per segment once
/// split. A character is never split across two segments.
public struct SMSSegments: Equatable, Sendable {
    /// The character set the text would be sent in.
    public enum Encoding: Equatable, Sendable {
        case gsm7
        case ucs2
    }

    public let encoding: Encoding
    /// The number of segments.
    public let count: Int
    /// Septets for GSM-7, UTF-16 code units for UCS-2.
    public let units: Int

    /// Counts the segments of `text`.
    public init(_ text: String) {
        if let septets = Self.gsm7Septets(text) {
            self.init(encoding: .gsm7, sizes: septets, single: 160, multi: 153)
        } else {
            let units = text.unicodeScalars.map { $0.utf16.count }
            self.init(encoding: .ucs2, sizes: units, single: 70, multi: 67)
        }
    }

    private init(encoding: Encoding, sizes: [Int], single: Int, multi: Int) {
        self.encoding = encoding
        let total = sizes.reduce(0, +)
        self.units = total
        guard total > single else {
            self.count = total == 0 ? 0 : 1
            return
        }
        var segments = 1
        var used = 0
        for size in sizes {
            if used + size > multi {
                segments += 1
                used = 0
            }
            used += size
        }
        self.count = segments
    }

    /// The GSM-7 septets of each character, or `nil` when a character is not in GSM-7.
    private static func gsm7Septets(_ text: String) -> [Int]? {
        var sizes: [Int] = []
        sizes.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let septets = asciiSeptets[Int(scalar.value)]
                guard septets > 0 else { return nil }
                sizes.append(Int(septets))
            } else if basic.contains(scalar) {
                sizes.append(1)
            } else if extended.contains(scalar) {
                sizes.append(2)
            } else {
                return nil
            }
        }
        return sizes
    }

    private static let basic: Set<Unicode.Scalar> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
            .unicodeScalars)
    private static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
    /// Septets per ASCII scalar (0: not in GSM-7), so most text is counted without hashing.
    private static let asciiSeptets: [UInt8] = (0..<128).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        return basic.contains(scalar) ? 1 : extended.contains(scalar) ? 2 : 0
    }
}
