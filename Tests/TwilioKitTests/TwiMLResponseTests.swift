import Foundation
import Testing
import TwilioKit

import TestSupport

@Suite struct TwiMLResponseTests {
    @Test func noMessagesIsAnEmptyResponse() {
        #expect(TwiMLResponse().xml == #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#)
    }

    @Test func markupCharactersAreEscaped() {
        let xml = TwiMLResponse(messages: [#"<b>Tom & "Jerry's"</b>"#]).xml
        #expect(
            xml == #"<?xml version="1.0" encoding="UTF-8"?><Response><Message>&lt;b&gt;Tom &amp; &quot;Jerry&apos;s&quot;&lt;/b&gt;</Message></Response>"#
        )
    }

    @Test func everyMessageBecomesOneElementAndParsesBackToItsText() throws {
        let texts = [#"Premium: $128.40 <due> & "soon" 'ok'"#, "Olá, 保险 🚗 €5", "line one\nline two", "]]> <![CDATA["]
        let parsed = try MessageTexts(parsing: TwiMLResponse(messages: texts).xml)
        #expect(parsed.texts == texts)
    }

    @Test func charactersXMLCannotCarryAreDroppedSoTheDocumentStaysWellFormed() throws {
        let parsed = try MessageTexts(parsing: TwiMLResponse(messages: ["a\u{0}b\u{1B}c\u{FFFF}d\tz", "\u{FFFE}x\u{FFFD}\u{FFBE}\u{EFBF}\u{1F}\u{FFFF}"]).xml)
        #expect(parsed.texts == ["abcd\tz", "x\u{FFFD}\u{FFBE}\u{EFBF}"])
    }
}
