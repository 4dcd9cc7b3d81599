import Foundation
import SMSBotApp
import SMSBotStorage
import SMSBotResources
import TestSupport
import Testing

@Suite struct ReplyTemplatesTests {
    @Test func theBuiltInTemplatesLoadAndRenderAsPlainText() throws {
        let templates = try ReplyTemplates(overrides: nil, required: ["greeting"])
        let greeting = templates.render("greeting", ["businessName": "Smith & Sons <Mutual>"])
        #expect(greeting.hasPrefix("Hi, this is Smith & Sons <Mutual>."))
        #expect(!greeting.hasSuffix("\n"))
    }

    @Test func everyFileOfTemplatesSMSIsBuiltInUnchanged() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestPaths.smsTemplates).filter { $0.hasSuffix(".mustache") }
        #expect(Set(files.map { String($0.dropLast(".mustache".count)) }) == Set(BuiltInResources.smsTemplates.keys))
        for file in files {
            let text = try String(contentsOfFile: TestPaths.smsTemplates + "/" + file, encoding: .utf8)
            #expect(BuiltInResources.smsTemplates[String(file.dropLast(".mustache".count))] == text, "\(file)")
        }
    }

    @Test func everyFileOfTemplatesPortalIsBuiltInUnchanged() throws {
        let folder = TestPaths.repositoryRoot.appendingPathComponent("Templates/portal").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".mustache") }
        #expect(Set(files.map { String($0.dropLast(".mustache".count)) }) == Set(BuiltInResources.portalTemplates.keys))
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(BuiltInResources.portalTemplates[String(file.dropLast(".mustache".count))] == text, "\(file)")
        }
        let css = try Data(contentsOf: URL(fileURLWithPath: folder + "/portal.css"))
        #expect(BuiltInResources.portalStylesheet == css)
    }

    @Test func portalPagesEscapeEveryValueAndSMSTextsNone() throws {
        let portal = try ReplyTemplates(
            builtIn: ["page": "<p>{{name}}</p>"], overrides: nil, required: ["page"], escapingHTML: true)
        #expect(portal.render("page", ["name": "<b>Kim</b> & \"co\""]) == "<p>&lt;b&gt;Kim&lt;/b&gt; &amp; &quot;co&quot;</p>")
        let sms = try ReplyTemplates(builtIn: ["text": "{{name}}"], overrides: nil, required: ["text"])
        #expect(sms.render("text", ["name": "<b>Kim</b> & co"]) == "<b>Kim</b> & co")
    }

    @Test func anOverrideFolderReplacesOnlyTheTemplatesItHolds() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try "Hello from {{businessName}}, our own words.".write(toFile: folder.path("greeting.mustache"), atomically: true, encoding: .utf8)
        try "not a template".write(toFile: folder.path("notes.txt"), atomically: true, encoding: .utf8)
        let templates = try ReplyTemplates(overrides: folder.url.path, required: ["greeting", "help"])
        #expect(templates.render("greeting", ["businessName": "Acme"]) == "Hello from Acme, our own words.")
        #expect(templates.render("help", ["businessName": "Acme"]).hasPrefix("Acme:"))
    }

    @Test func aMissingTemplateStopsStartUpNamingIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        #expect {
            try ReplyTemplates(builtIn: [:], overrides: folder.url.path, required: ["greeting"])
        } throws: { error in
            "\(error)" == "template \(folder.path("greeting.mustache")) is missing"
        }
        #expect {
            try ReplyTemplates(builtIn: [:], overrides: nil, required: ["greeting"])
        } throws: { error in
            "\(error)" == "template built-in greeting.mustache is missing"
        }
    }

    @Test func aBrokenOverrideStopsStartUpNamingTheFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try "Hi {{#unclosed}} there".write(toFile: folder.path("greeting.mustache"), atomically: true, encoding: .utf8)
        #expect {
            try ReplyTemplates(overrides: folder.url.path, required: ["greeting"])
        } throws: { error in
            "\(error)".hasPrefix("template \(folder.path("greeting.mustache")) is not valid Mustache")
        }
    }

    @Test func aMissingOverrideFolderIsReported() {
        #expect {
            try ReplyTemplates(overrides: "/nonexistent/templates", required: ["greeting"])
        } throws: { error in
            "\(error)" == "template /nonexistent/templates cannot read the templates folder"
        }
    }
}
