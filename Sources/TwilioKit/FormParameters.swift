/// The parameters of an `application/x-www-form-urlencoded` body, in the order they arrived.
///
/// Decoding follows the WHATWG URL standard as Twilio produces it: `&`-separated pairs,
/// `+` is a space, `%XX` escapes are bytes of UTF-8 text. Unlike that standard, a malformed
/// escape or invalid UTF-8 is rejected rather than replaced, so a signature is never computed
/// over text that differs from what was signed.
public struct FormParameters: Sendable, Equatable {
    /// Every name/value pair, repeated names kept, in arrival order.
    public let pairs: [(name: String, value: String)]

    /// Creates parameters from already-decoded pairs.
    public init(_ pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    /// The most fields a body may have (SPEC §3): Twilio sends a few dozen, and every field
    /// costs an allocation here and a place in the signature's sort.
    public static let maxFields = 256

    /// Decodes a urlencoded body of at most `maxFields` fields; a longer one is refused
    /// before any field is decoded.
    @inlinable
    public init(decoding body: some Collection<UInt8>, maxFields: Int = FormParameters.maxFields) throws(FormDecodingError) {
        // Inlined into the caller so the collection's type is known there; the decoding itself
        // works on contiguous bytes, compiled once for one concrete type.
        let decoded =
            body.withContiguousStorageIfAvailable { Self.decode($0, maxFields: maxFields) }
            ?? Array(body).withUnsafeBufferPointer { Self.decode($0, maxFields: maxFields) }
        self.pairs = try decoded.get()
    }

    @usableFromInline
    static func decode(_ body: UnsafeBufferPointer<UInt8>, maxFields: Int) -> Result<[(name: String, value: String)], FormDecodingError> {
        guard fieldCount(body, atMost: maxFields) <= maxFields else { return .failure(.tooManyFields(limit: maxFields)) }
        var pairs: [(name: String, value: String)] = []
        do {
            for field in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
                let separator = field.firstIndex(of: UInt8(ascii: "=")) ?? field.endIndex
                let name = try unescape(field[..<separator], index: pairs.count)
                let value = separator < field.endIndex ? try unescape(field[(separator + 1)...], index: pairs.count) : ""
                pairs.append((name, value))
            }
        } catch {
            return .failure(error)
        }
        return .success(pairs)
    }

    /// The number of non-empty `&`-separated fields, counted up to one past `limit`.
    private static func fieldCount(_ body: UnsafeBufferPointer<UInt8>, atMost limit: Int) -> Int {
        var count = 0
        var inField = false
        for byte in body {
            if byte == UInt8(ascii: "&") {
                inField = false
            } else if !inField {
                inField = true
                count += 1
                if count > limit { break }
            }
        }
        return count
    }

    /// The first value for `name`, if any.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value for `name`, in arrival order.
    public func values(for name: String) -> [String] {
        pairs.compactMap { $0.name == name ? $0.value : nil }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    private static func unescape(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, index: Int) throws(FormDecodingError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .malformedEscape(pair: index + 1)
                }
                output.append(high << 4 | low)
            default:
                output.append(byte)
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw .invalidUTF8(pair: index + 1)
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why a urlencoded body could not be decoded. The text names the position, never the content.
public enum FormDecodingError: Error, Equatable, CustomStringConvertible {
    /// A `%` not followed by two hex digits.
    case malformedEscape(pair: Int)
    /// Escapes that decode to bytes which are not UTF-8 text.
    case invalidUTF8(pair: Int)
    /// More fields than ``FormParameters/maxFields``.
    case tooManyFields(limit: Int)

    public var description: String {
        switch self {
        case .tooManyFields(let limit): "more than \(limit) form fields"
        case .malformedEscape(let pair): "malformed percent escape in form field \(pair)"
        case .invalidUTF8(let pair): "form field \(pair) is not valid UTF-8"
        }
    }
}
