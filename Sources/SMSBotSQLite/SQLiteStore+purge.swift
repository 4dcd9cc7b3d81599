public import Foundation
import GRDB
public import SMSBotStorage

extension SQLiteStore {
    public func purge(at now: Date) async throws -> Int {
        try await writer.write { db in
            let time = now.unixMilliseconds
            try db.run(
                sql: "UPDATE processed_messages SET reply = NULL WHERE reply IS NOT NULL AND received_at < ?",
                arguments: [time - Int64(InboundMessageRecord.replyRetention * 1000)])
            var purged = db.changesCount
            let statements: [(String, TimeInterval)] = [
                ("DELETE FROM processed_messages WHERE received_at < ?", InboundMessageRecord.sidRetention),
                ("DELETE FROM conversations WHERE updated_at < ?", InboundMessageRecord.conversationRetention),
                ("DELETE FROM otp_challenges WHERE issued_at < ?", 24 * 3600),
                ("DELETE FROM lockouts WHERE locked_until < ? AND locked_at < ?", 24 * 3600),
            ]
            for (sql, age) in statements {
                let cutoff = time - Int64(age * 1000)
                try db.run(sql: sql, arguments: sql.hasSuffix("locked_at < ?") ? [time, cutoff] : [cutoff])
                purged += db.changesCount
            }
            return purged
        }
    }
}
