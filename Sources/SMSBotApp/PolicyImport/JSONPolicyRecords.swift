import Foundation

/// Policy records from a JSON array of objects, each with the line its object starts on.
enum JSONPolicyRecords {
    /// The records, and a problem per element that is not a policy object. Throws when the
    /// document as a whole is unusable.
    static func read(_ data: Data, file: String) throws(PolicyFileError) -> (records: [PolicyRecord], problems: [(line: Int, reason: String)]) {
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PolicyFileError(problems: ["\(file):\(Self.line(of: error)): not valid JSON"])
        }
        guard let elements = document as? [Any] else {
            throw PolicyFileError(problems: ["\(file):1: expected a JSON array of policy objects"])
        }
        let lines = elementLines(in: data)
        var records: [PolicyRecord] = []
        var problems: [(line: Int, reason: String)] = []
        for (index, element) in elements.enumerated() {
            let line = index < lines.count ? lines[index] : 1
            do throws(PolicyRecord.Invalid) {
                records.append(try record(element, line: line))
            } catch {
                problems.append((line, error.reason))
            }
        }
        return (records, problems)
    }

    private static func record(_ element: Any, line: Int) throws(PolicyRecord.Invalid) -> PolicyRecord {
        guard let object = element as? [String: Any] else { throw .init("expected a policy object") }
        var record = PolicyRecord(line: line, fields: try strings(object, allowed: PolicyRecord.keys.union(["claims"]), context: ""))
        if let claims = object["claims"], !(claims is NSNull) {
            guard let list = claims as? [Any] else { throw .init("claims must be an array of claim objects") }
            for (index, claim) in list.enumerated() {
                guard let claimObject = claim as? [String: Any] else { throw .init("claim \(index + 1) must be an object") }
                record.claims.append(.init(fields: try strings(claimObject, allowed: PolicyRecord.claimKeys, context: "claim \(index + 1): ")))
            }
        }
        return record
    }

    /// The object's text fields; a number where text belongs is refused, since money must keep its exact decimals.
    private static func strings(_ object: [String: Any], allowed: Set<String>, context: String) throws(PolicyRecord.Invalid) -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in object where key != "claims" || !allowed.contains("claims") {
            guard allowed.contains(key) else { throw .init("\(context)unknown field \"\(key)\"") }
            switch value {
            case let text as String: fields[key] = text
            case is NSNull: continue
            default: throw .init("\(context)\(key) must be a string (write amounts as \"128.40\")")
            }
        }
        return fields
    }

    /// The line each element of the top-level array starts on.
    static func elementLines(in data: Data) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var depth = 0
        var inString = false
        var escaped = false
        var expectingElement = false
        for byte in data {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                continue
            case UInt8(ascii: ","):
                if depth == 1 { expectingElement = true }
                continue
            default:
                break
            }
            if depth == 1 && expectingElement {
                lines.append(line)
                expectingElement = false
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth == 1 { expectingElement = true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return lines
    }

    private static func line(of error: any Error) -> Int {
        let text = "\((error as NSError).userInfo)"
        return text.firstMatch(of: /line (\d+)/).flatMap { Int($0.1) } ?? 1
    }
}
