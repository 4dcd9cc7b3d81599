import Foundation
import Mustache
import SMSBotCore
public import SMSBotResources

/// Every customer-facing text: the templates built into the executable (`Templates/sms/`),
/// each replaceable by a `.mustache` file of the same name in the folder `templates.path` names.
///
/// All templates are parsed at start-up, and the templates the app needs must be there, so a
/// missing or broken template stops start-up naming the file instead of failing a customer.
/// SMS templates render as plain text: nothing is HTML-escaped; surrounding white space is trimmed.
public struct ReplyTemplates: Sendable {
    private let library: MustacheLibrary

    /// Loads and checks `builtIn` (name to Mustache text) and every template in `overrides`,
    /// which replace built-in ones of the same name; each of `required` must be there.
    ///
    /// With `escapingHTML` (the portal's pages) every value is HTML-escaped and only files named
    /// like a built-in template are taken from `overrides`; otherwise nothing is escaped.
    public init(
        builtIn: [String: String] = BuiltInResources.smsTemplates, overrides: String?, required: Set<String>, escapingHTML: Bool = false
    ) throws(TemplateError) {
        var library = MustacheLibrary()
        let pragma = escapingHTML ? "" : "{{% CONTENT_TYPE: TEXT}}"
        for (name, text) in builtIn {
            library.register(try Self.parse(pragma + text, file: "built-in \(name).mustache"), named: name)
        }
        if let overrides {
            for (name, file) in try Self.files(in: overrides) where !escapingHTML || builtIn[name] != nil {
                guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                    throw TemplateError(file: file.path, reason: "cannot be read as UTF-8 text")
                }
                library.register(try Self.parse(pragma + text, file: file.path), named: name)
            }
        }
        for name in required.sorted() where library.getTemplate(named: name) == nil {
            let folder = overrides.map { URL(fileURLWithPath: $0, isDirectory: true).appendingPathComponent(name + ".mustache").path }
            throw TemplateError(file: folder ?? "built-in \(name).mustache", reason: "is missing")
        }
        self.library = library
    }

    /// Renders template `name` with `values`; a name not checked at start-up renders empty.
    public func render(_ name: String, _ values: [String: Any] = [:]) -> String {
        let text = library.render(values, withTemplate: name) ?? ""
        return String(text.trimming(\.isWhitespace))
    }

    /// The `.mustache` files of `directory`, by template name.
    private static func files(in directory: String) throws(TemplateError) -> [(name: String, url: URL)] {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "mustache" }
                .map { ($0.deletingPathExtension().lastPathComponent, $0) }
        } catch {
            throw TemplateError(file: directory, reason: "cannot read the templates folder")
        }
    }

    private static func parse(_ text: String, file: String) throws(TemplateError) -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: text)
        } catch {
            throw TemplateError(file: file, reason: "is not valid Mustache (\(error))")
        }
    }
}

/// A template that cannot be used; the text names the file.
public struct TemplateError: Error, Equatable, CustomStringConvertible {
    /// The template file (or folder) at fault.
    public let file: String
    /// What is wrong with it.
    public let reason: String

    public var description: String { "template \(file) \(reason)" }
}
