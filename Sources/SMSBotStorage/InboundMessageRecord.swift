public import Foundation

/// Facts about the stored record of an inbound message.
public enum InboundMessageRecord {
    /// How long a reply (which may hold policy data) is kept for replaying to Twilio's retries.
    public static let replyRetention: TimeInterval = 15 * 60
    /// How long a `MessageSid` is remembered at all.
    public static let sidRetention: TimeInterval = 48 * 3600
    /// How long a sent or dropped outbound SMS is kept.
    public static let outboxRetention: TimeInterval = 30 * 24 * 3600
    /// How long an idle conversation's state is kept.
    public static let conversationRetention: TimeInterval = 30 * 24 * 3600

    /// The stored replies (a JSON array) as a replay returns them: none once past ``replyRetention``.
    public static func replayedReplies(stored reply: String?, receivedAt: Int64, now: Date) throws -> [String] {
        guard let reply, now.timeIntervalSince(Date(unixMilliseconds: receivedAt)) <= replyRetention else { return [] }
        return try JSONDecoder().decode([String].self, from: Data(reply.utf8))
    }

    /// Replies as stored: a JSON array of texts, written directly (this runs for every message;
    /// JSONEncoder cost more than the row it fills).
    public static func encode(_ replies: [String]) -> String {
        var json = "["
        for (index, reply) in replies.enumerated() {
            if index > 0 { json += "," }
            json += "\""
            // Most replies need no escaping at all: append them whole.
            if !reply.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                json += reply
                json += "\""
                continue
            }
            for scalar in reply.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case "\n": json += "\\n"
                case "\r": json += "\\r"
                case "\t": json += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: json.unicodeScalars.append(scalar)
                }
            }
            json += "\""
        }
        return json + "]"
    }
}
