public import Foundation

/// The stored form of a conversation state: a few dozen bytes read and written on every
/// message, so a compact binary layout rather than JSON (which cost more than the SQL).
///
/// Layout: a format byte (`2`), a case byte, then the case's fields. Strings and data are
/// a 16-bit length and the bytes; dates the bit pattern of `timeIntervalSinceReferenceDate`
/// (exact); integers 64 bits; all little-endian. Format `1` (a pending code's attempt count
/// after its expiry; failures are now counted outside the state) and the JSON of earlier
/// versions (it begins with `{`) are still read.
extension ConversationState {
    private static let binaryFormat: UInt8 = 2
    /// The format that stored a pending code's wrong attempts.
    private static let formatWithAttempts: UInt8 = 1

    private enum Case: UInt8 {
        case new, awaitingPolicyNumber, codePending, locked, verified
        case rememberingRequest, verifiedByPhone
    }

    /// The bytes to store.
    public var storedForm: Data {
        var writer = StateWriter()
        writer.byte(Self.binaryFormat)
        switch self {
        case .new:
            writer.byte(Case.new.rawValue)
        case .awaitingPolicyNumber:
            writer.byte(Case.awaitingPolicyNumber.rawValue)
        case .rememberingRequest(let request):
            writer.byte(Case.rememberingRequest.rawValue)
            writer.string(request.rawValue)
        case .codePending(let pending):
            writer.byte(Case.codePending.rawValue)
            writer.string(pending.subject.storedKey)
            writer.bytes(pending.codeHash)
            writer.date(pending.issuedAt)
            writer.date(pending.expiresAt)
            writer.string(pending.request?.rawValue ?? "")
        case .locked(let subject, let until):
            writer.byte(Case.locked.rawValue)
            writer.string(subject.storedKey)
            writer.date(until)
        case .verified(let session) where session.byPhone:
            // A session verified by phone may have no policy chosen yet, nor a request waiting: "" then.
            writer.byte(Case.verifiedByPhone.rawValue)
            writer.string(session.policy?.canonical ?? "")
            writer.string(session.request?.rawValue ?? "")
            writer.date(session.lastActivity)
        case .verified(let session):
            writer.byte(Case.verified.rawValue)
            writer.string(session.policy?.canonical ?? "")
            writer.date(session.lastActivity)
        }
        return Data(writer.output)
    }

    /// Reads what ``storedForm`` wrote, or the JSON of earlier versions; `nil` for anything else.
    public init?(storedForm data: Data) {
        guard let first = data.first else { return nil }
        guard first == Self.binaryFormat || first == Self.formatWithAttempts else {
            guard let state = try? JSONDecoder().decode(LegacyJSONState.self, from: data) else { return nil }
            self = state.current
            return
        }
        var reader = StateReader(Array(data.dropFirst()))
        guard let state = Self.read(from: &reader, withAttempts: first == Self.formatWithAttempts), reader.isAtEnd else { return nil }
        self = state
    }

    private static func read(from reader: inout StateReader, withAttempts: Bool) -> ConversationState? {
        guard let tag = reader.byte().flatMap(Case.init(rawValue:)) else { return nil }
        switch tag {
        case .new:
            return .new
        case .awaitingPolicyNumber:
            return .awaitingPolicyNumber
        case .rememberingRequest:
            guard let request = reader.string().flatMap(PolicyQuestion.init(rawValue:)) else { return nil }
            return .rememberingRequest(request)
        case .codePending:
            guard let subject = reader.subject(), let codeHash = reader.bytes(), let issuedAt = reader.date(),
                let expiresAt = reader.date(), !withAttempts || reader.integer() != nil, let request = reader.string()
            else { return nil }
            let question = request.isEmpty ? nil : PolicyQuestion(rawValue: request)
            guard request.isEmpty || question != nil else { return nil }
            return .codePending(
                PendingCode(
                    subject: subject, codeHash: codeHash, issuedAt: issuedAt, expiresAt: expiresAt, request: question))
        case .locked:
            guard let subject = reader.subject(), let until = reader.date() else { return nil }
            return .locked(subject: subject, until: until)
        case .verified:
            guard let policy = reader.policy(), let lastActivity = reader.date() else { return nil }
            return .verified(VerifiedSession(policy: policy, lastActivity: lastActivity))
        case .verifiedByPhone:
            guard let chosen = reader.string(), let request = reader.string(), let lastActivity = reader.date() else { return nil }
            let policy = PolicyNumber(chosen)
            let question = PolicyQuestion(rawValue: request)
            guard chosen.isEmpty || policy?.canonical == chosen, request.isEmpty || question != nil else { return nil }
            return .verified(VerifiedSession(policy: policy, byPhone: true, request: question, lastActivity: lastActivity))
        }
    }
}

private struct StateWriter {
    var output: [UInt8] = []

    mutating func byte(_ value: UInt8) { output.append(value) }

    mutating func integer(_ value: Int64) { fixedWidth(UInt64(bitPattern: value)) }

    mutating func date(_ value: Date) { fixedWidth(value.timeIntervalSinceReferenceDate.bitPattern) }

    mutating func string(_ value: String) { bytes(Data(value.utf8)) }

    mutating func bytes(_ value: Data) {
        // Policy numbers, question names and code hashes are far below 64 KiB.
        precondition(value.count <= Int(UInt16.max), "a stored state field is too long")
        fixedWidth(UInt16(value.count))
        output.append(contentsOf: value)
    }

    private mutating func fixedWidth(_ value: some FixedWidthInteger) {
        withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
    }
}

private struct StateReader {
    private let input: [UInt8]
    private var position = 0

    init(_ input: [UInt8]) { self.input = input }

    var isAtEnd: Bool { position == input.count }

    mutating func byte() -> UInt8? { take(1)?.first }

    mutating func integer() -> Int64? { fixedWidth(UInt64.self).map(Int64.init(bitPattern:)) }

    mutating func date() -> Date? {
        fixedWidth(UInt64.self).map { Date(timeIntervalSinceReferenceDate: Double(bitPattern: $0)) }
    }

    mutating func bytes() -> Data? {
        guard let count = fixedWidth(UInt16.self), let bytes = take(Int(count)) else { return nil }
        return Data(bytes)
    }

    mutating func string() -> String? {
        guard let count = fixedWidth(UInt16.self), let bytes = take(Int(count)) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// A policy number, which must already be in canonical form.
    mutating func policy() -> PolicyNumber? {
        guard let text = string(), let number = PolicyNumber(text), number.canonical == text else { return nil }
        return number
    }

    /// A code subject in its stored form.
    mutating func subject() -> CodeSubject? {
        string().flatMap(CodeSubject.init(storedKey:))
    }

    private mutating func fixedWidth<Value: FixedWidthInteger>(_ type: Value.Type) -> Value? {
        guard let bytes = take(MemoryLayout<Value>.size) else { return nil }
        let value = bytes.reversed().reduce(Value.zero) { $0 << 8 | Value($1) }
        return value
    }

    private mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count <= input.count - position else { return nil }
        defer { position += count }
        return input[position..<(position + count)]
    }
}

/// The JSON that versions before the binary form stored (Swift's synthesized coding of the
/// states they had), read so that their conversations carry on.
private enum LegacyJSONState: Decodable {
    case new
    case awaitingPolicyNumber
    case codePending(Pending)
    case locked(policy: Number, until: Date)
    case verified(Session)

    struct Number: Decodable {
        var canonical: String
    }

    struct Pending: Decodable {
        var policy: Number
        var codeHash: Data
        var issuedAt: Date
        var expiresAt: Date
        var request: PolicyQuestion?
    }

    struct Session: Decodable {
        var policy: Number
        var lastActivity: Date
    }

    /// The state today; a policy number that is not canonical starts over.
    var current: ConversationState {
        switch self {
        case .new:
            return .new
        case .awaitingPolicyNumber:
            return .awaitingPolicyNumber
        case .codePending(let pending):
            guard let policy = PolicyNumber(pending.policy.canonical) else { return .new }
            return .codePending(
                PendingCode(
                    subject: .policy(policy), codeHash: pending.codeHash, issuedAt: pending.issuedAt, expiresAt: pending.expiresAt,
                    request: pending.request))
        case .locked(let number, let until):
            guard let policy = PolicyNumber(number.canonical) else { return .new }
            return .locked(subject: .policy(policy), until: until)
        case .verified(let session):
            guard let policy = PolicyNumber(session.policy.canonical) else { return .new }
            return .verified(VerifiedSession(policy: policy, lastActivity: session.lastActivity))
        }
    }
}
