import Foundation
import Mustache

/// Every customer-facing text, loaded from the `.mustache` files of `templates.path`.
///
/// All files are parsed at start-up, and the templates the app needs must be there, so a
/// missing or broken template stops start-up naming the file instead of failing a customer.
/// Templates render as plain text: nothing is HTML-escaped, and surrounding white space is trimmed.
public struct ReplyTemplates: Sendable {
    private let library: MustacheLibrary

    /// Loads and checks every template in `directory`; each of `required` must be there.
    public init(directory: String, required: Set<String>) throws(TemplateError) {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "mustache" }
        } catch {
            throw TemplateError(file: directory, reason: "cannot read the templates folder")
        }
        var library = MustacheLibrary()
        for file in files {
            let name = file.deletingPathExtension().lastPathComponent
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw TemplateError(file: file.path, reason: "cannot be read as UTF-8 text")
            }
            do {
                library.register(try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text), named: name)
            } catch {
                throw TemplateError(file: file.path, reason: "is not valid Mustache (\(error))")
            }
        }
        for name in required.sorted() where library.getTemplate(named: name) == nil {
            throw TemplateError(file: folder.appendingPathComponent(name + ".mustache").path, reason: "is missing")
        }
        self.library = library
    }

    /// Renders template `name` with `values`; a name not checked at start-up renders empty.
    public func render(_ name: String, _ values: [String: Any] = [:]) -> String {
        let text = library.render(values, withTemplate: name) ?? ""
        return String(text.trimming(\.isWhitespace))
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
