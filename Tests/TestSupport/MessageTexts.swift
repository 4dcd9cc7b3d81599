public import Foundation

#if canImport(FoundationXML)
public import FoundationXML
#endif

/// Collects the text of each `<Message>` of a TwiML document with Foundation's XML parser,
/// failing on malformed XML.
public final class MessageTexts: NSObject, XMLParserDelegate {
    public private(set) var texts: [String] = []
    private var current: String?

    public init(parsing xml: String) throws {
        super.init()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = self
        guard parser.parse() else {
            throw parser.parserError ?? CocoaError(.fileReadCorruptFile)
        }
    }

    public func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if elementName == "Message" { current = "" }
    }

    public func parser(_ parser: XMLParser, foundCharacters string: String) {
        current? += string
    }

    public func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "Message", let current {
            texts.append(current)
            self.current = nil
        }
    }
}
