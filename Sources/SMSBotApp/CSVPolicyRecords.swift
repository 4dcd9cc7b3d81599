import Foundation

/// Policy records from CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks),
/// with the same keys as JSON in a header row. Claims can only come from JSON.
enum CSVPolicyRecords {
    /// The records, and a problem per row of the wrong width. Throws when the file as a whole
    /// is unusable (not text, bad header, unclosed quote).
    static func read(_ data: Data, file: String) throws(PolicyFileError) -> (records: [PolicyRecord], problems: [(line: Int, reason: String)]) {
        guard var text = String(data: data, encoding: .utf8) else {
            throw PolicyFileError(problems: ["\(file):1: not UTF-8 text"])
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let rows: [(line: Int, fields: [String])]
        do {
            rows = try parse(text)
        } catch {
            throw PolicyFileError(problems: ["\(file):\(error.line): a quoted field is never closed"])
        }
        guard let header = rows.first else { throw PolicyFileError(problems: ["\(file):1: empty file; expected a header row"]) }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        for column in columns where !PolicyRecord.keys.contains(column) {
            let reason = column == "claims" ? "claims can only be imported from JSON" : "unknown column \"\(column)\""
            throw PolicyFileError(problems: ["\(file):\(header.line): \(reason)"])
        }
        if Set(columns).count != columns.count {
            throw PolicyFileError(problems: ["\(file):\(header.line): a column appears twice"])
        }
        var records: [PolicyRecord] = []
        var problems: [(line: Int, reason: String)] = []
        for row in rows.dropFirst() where row.fields != [""] {
            guard row.fields.count == columns.count else {
                problems.append((row.line, "expected \(columns.count) fields, found \(row.fields.count)"))
                continue
            }
            records.append(PolicyRecord(line: row.line, fields: Dictionary(uniqueKeysWithValues: zip(columns, row.fields))))
        }
        return (records, problems)
    }

    struct UnclosedQuote: Error {
        let line: Int
    }

    /// The rows of `text`, each with the line it starts on.
    static func parse(_ text: String) throws(UnclosedQuote) -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var rowLine = 1
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            defer { pending = nil }
            return pending ?? iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    let following = iterator.next()
                    if following == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        pending = following
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                quoted = true
            case ",":
                fields.append(field)
                field = ""
            case "\r", "\n":
                if scalar == "\r" {
                    let following = iterator.next()
                    if following != "\n" { pending = following }
                }
                fields.append(field)
                rows.append((rowLine, fields))
                fields = []
                field = ""
                line += 1
                rowLine = line
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if quoted { throw UnclosedQuote(line: rowLine) }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append((rowLine, fields))
        }
        return rows
    }
}
