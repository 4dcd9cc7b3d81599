import Foundation
import SMSBotApp
import Testing

@Suite struct ReplyTemplatesTests {
    @Test func theShippedTemplatesLoadAndRenderAsPlainText() throws {
        let templates = try ReplyTemplates(directory: TestPaths.templates, required: ["greeting"])
        let greeting = templates.render("greeting", ["businessName": "Smith & Sons <Mutual>"])
        #expect(greeting.hasPrefix("Hi, this is Smith & Sons <Mutual>."))
        #expect(!greeting.hasSuffix("\n"))
    }

    @Test func aMissingTemplateStopsStartUpNamingTheFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        #expect {
            try ReplyTemplates(directory: folder.url.path, required: ["greeting"])
        } throws: { error in
            "\(error)" == "template \(folder.path("greeting.mustache")) is missing"
        }
    }

    @Test func aBrokenTemplateStopsStartUpNamingTheFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try "Hi {{#unclosed}} there".write(toFile: folder.path("greeting.mustache"), atomically: true, encoding: .utf8)
        #expect {
            try ReplyTemplates(directory: folder.url.path, required: ["greeting"])
        } throws: { error in
            "\(error)".hasPrefix("template \(folder.path("greeting.mustache")) is not valid Mustache")
        }
    }

    @Test func aMissingFolderIsReported() {
        #expect {
            try ReplyTemplates(directory: "/nonexistent/templates", required: ["greeting"])
        } throws: { error in
            "\(error)" == "template /nonexistent/templates cannot read the templates folder"
        }
    }
}
