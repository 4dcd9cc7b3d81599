public import Foundation

/// Checks HTTP responses against an OpenAPI 3.1 document, as a client generated from it would
/// expect them: the status documented for the operation, the media type, the required headers,
/// and the body against its JSON Schema (the subset the document uses: `$ref`, `type`,
/// `properties`, `required`, `additionalProperties`, `enum`, `oneOf`, `minimum`, `maxLength`,
/// `format: date-time`).
public struct OpenAPIValidator: Sendable {
    private let document: [String: any Sendable]

    /// Reads the document (JSON).
    public init(json: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] else { throw Problem("not a JSON object") }
        document = Self.sendable(object) as! [String: any Sendable]
    }

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Every problem of a response to `method path` (path with the server prefix, e.g.
    /// `/api/v1/verifications/vf_1`); empty when it conforms.
    public func problems(method: String, path: String, status: Int, contentType: String?, headers: [String: String], body: Data) -> [String] {
        let servers = (document["servers"] as? [[String: any Sendable]])?.compactMap { $0["url"] as? String } ?? [""]
        guard let prefix = servers.first(where: { path.hasPrefix($0) }) else { return ["\(path) is under no server URL"] }
        let local = String(path.dropFirst(prefix.count).prefix { $0 != "?" })
        guard let paths = document["paths"] as? [String: any Sendable],
            let (template, item) = paths.first(where: { Self.matches(template: $0.key, path: local) }),
            let operation = (item as? [String: any Sendable])?[method.lowercased()] as? [String: any Sendable]
        else { return ["\(method) \(local) is not in the document"] }
        guard let responses = operation["responses"] as? [String: any Sendable], let found = responses["\(status)"] ?? responses["default"],
            let response = resolve(found) as? [String: any Sendable]
        else { return ["\(method) \(template) does not document status \(status)"] }
        var problems: [String] = []
        for (name, header) in (response["headers"] as? [String: any Sendable]) ?? [:] {
            let required = (resolve(header) as? [String: any Sendable])?["required"] as? Bool ?? false
            if required, headers.first(where: { $0.key.lowercased() == name.lowercased() }) == nil {
                problems.append("\(status) lacks the required header \(name)")
            }
        }
        guard let content = response["content"] as? [String: any Sendable] else {
            if !body.isEmpty { problems.append("\(status) documents no body, got \(body.count) bytes") }
            return problems
        }
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let mediaType, let media = content[mediaType] as? [String: any Sendable] else {
            return problems + ["\(status) has media type \(contentType ?? "none"), documented: \(content.keys.sorted())"]
        }
        guard let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            return problems + ["\(status) body is not JSON"]
        }
        if let schema = media["schema"] { problems += validate(Self.sendable(json), against: schema, at: "body") }
        return problems
    }

    private static func matches(template: String, path: String) -> Bool {
        let (expected, actual) = (template.split(separator: "/", omittingEmptySubsequences: false), path.split(separator: "/", omittingEmptySubsequences: false))
        return expected.count == actual.count
            && zip(expected, actual).allSatisfy { $0.hasPrefix("{") && !$1.isEmpty || $0 == $1 }
    }

    private func resolve(_ node: any Sendable) -> any Sendable {
        guard let object = node as? [String: any Sendable], let reference = object["$ref"] as? String, reference.hasPrefix("#/") else { return node }
        var current: (any Sendable)? = document
        for part in reference.dropFirst(2).split(separator: "/") { current = (current as? [String: any Sendable])?[String(part)] }
        return current.map(resolve) ?? node
    }

    private func validate(_ value: any Sendable, against node: any Sendable, at location: String) -> [String] {
        guard let schema = resolve(node) as? [String: any Sendable] else { return [] }
        if let options = schema["oneOf"] as? [any Sendable] {
            let matching = options.filter { validate(value, against: $0, at: location).isEmpty }.count
            return matching == 1 ? [] : ["\(location): matches \(matching) of oneOf's \(options.count) schemas"]
        }
        if let allowed = schema["enum"] as? [any Sendable], !allowed.contains(where: { "\($0)" == "\(value)" }) {
            return ["\(location): \(value) is not one of \(allowed)"]
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: any Sendable] else { return ["\(location): expected an object"] }
            var problems = ((schema["required"] as? [String]) ?? []).filter { object[$0] == nil }.map { "\(location): missing \($0)" }
            let properties = (schema["properties"] as? [String: any Sendable]) ?? [:]
            for (key, member) in object {
                if let property = properties[key] {
                    problems += validate(member, against: property, at: "\(location).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(location): unexpected property \(key)")
                } else if let extra = schema["additionalProperties"] as? [String: any Sendable] {
                    problems += validate(member, against: extra, at: "\(location).\(key)")
                }
            }
            return problems
        case "string":
            guard let string = value as? String else { return ["\(location): expected a string"] }
            if let maxLength = schema["maxLength"] as? Int, string.count > maxLength { return ["\(location): longer than \(maxLength)"] }
            if schema["format"] as? String == "date-time", (try? Date.ISO8601FormatStyle().parse(string)) == nil {
                return ["\(location): \(string) is not a date-time"]
            }
            return []
        case "integer":
            guard let number = value as? Int else { return ["\(location): expected an integer"] }
            if let minimum = schema["minimum"] as? Int, number < minimum { return ["\(location): below \(minimum)"] }
            return []
        default:
            return []
        }
    }

    /// JSONSerialization's output as Sendable values.
    private static func sendable(_ value: Any) -> any Sendable {
        switch value {
        case let object as [String: Any]: object.mapValues(sendable)
        case let array as [Any]: array.map(sendable)
        case let string as String: string
        case let number as NSNumber where number.isBool: number.boolValue
        case let number as NSNumber where number.doubleValue == number.doubleValue.rounded(): number.intValue
        case let number as NSNumber: number.doubleValue
        default: "\(value)"
        }
    }
}

extension NSNumber {
    /// Whether JSON had `true` or `false` here (Foundation keeps booleans as `c`-typed numbers).
    fileprivate var isBool: Bool { String(cString: objCType) == "c" }
}
