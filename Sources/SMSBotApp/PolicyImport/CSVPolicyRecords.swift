import Foundation

/// Policy records from CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks),
/// with the same keys as JSON in a header row. Claims can only come from JSON.
enum CSVPolicyRecords {
    /// Hands each record to `record` as it is parsed (a large file is never held as rows), and
    /// returns a problem per row of the wrong width. Throws when the file as a whole is unusable
    /// (not text, bad header, unclosed quote).
    static func read(
        _ data: Data, file: String, each record: (PolicyRecord) -> Void
    ) throws(PolicyFileError) -> [(line: Int, reason: String)] {
        guard var text = String(data: data, encoding: .utf8) else {
            throw PolicyFileError(problems: ["\(file):1: not UTF-8 text"])
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var columns: [String]?
        var headerProblem: String?
        var problems: [(line: Int, reason: String)] = []
        do {
            try parse(text) { line, fields in
                guard headerProblem == nil else { return }
                guard let columns else {
                    (columns, headerProblem) = header(fields)
                    if let problem = headerProblem { headerProblem = "\(file):\(line): \(problem)" }
                    return
                }
                guard fields != [""] else { return }
                guard fields.count == columns.count else {
                    problems.append((line, "expected \(columns.count) fields, found \(fields.count)"))
                    return
                }
                record(PolicyRecord(line: line, fields: Dictionary(uniqueKeysWithValues: zip(columns, fields))))
            }
        } catch {
            throw PolicyFileError(problems: ["\(file):\(error.line): a quoted field is never closed"])
        }
        if let headerProblem { throw PolicyFileError(problems: [headerProblem]) }
        guard columns != nil else { throw PolicyFileError(problems: ["\(file):1: empty file; expected a header row"]) }
        return problems
    }

    /// The columns a header row names, or why it cannot be used.
    private static func header(_ fields: [String]) -> (columns: [String], problem: String?) {
        let columns = fields.map { $0.trimmingCharacters(in: .whitespaces) }
        for column in columns where !PolicyRecord.keys.contains(column) {
            return (columns, column == "claims" ? "claims can only be imported from JSON" : "unknown column \"\(column)\"")
        }
        if Set(columns).count != columns.count {
            return (columns, "a column appears twice")
        }
        return (columns, nil)
    }

    struct UnclosedQuote: Error {
        let line: Int
    }

    /// Hands each row of `text` to `row`, with the line it starts on.
    static func parse(_ text: String, row: (_ line: Int, _ fields: [String]) -> Void) throws(UnclosedQuote) {
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
                row(rowLine, fields)
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
            row(rowLine, fields)
        }
    }
}
