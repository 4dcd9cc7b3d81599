import Foundation
import TestSupport
import Testing

@testable import SMSBotApp
import SMSBotStorage

@Suite struct InboundMessageRecordTests {
    @Test(arguments: [
        [], [""], ["Reply STATUS"], ["two", "replies"],
        ["quotes \" and \\ backslashes", "lines\nand\r\ttabs", "control \u{1} \u{1F} \u{7F}", "é ü 漢字 🚗 / slashes"],
    ])
    func storedRepliesAreJSONThatReadsBackExactly(replies: [String]) throws {
        let stored = InboundMessageRecord.encode(replies)
        #expect(try JSONDecoder().decode([String].self, from: Data(stored.utf8)) == replies)
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(try InboundMessageRecord.replayedReplies(stored: stored, receivedAt: now.unixMilliseconds, now: now) == replies)
    }
}
