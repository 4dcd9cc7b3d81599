/// Twilio's `MessageStatus` of an outbound message, ordered so that a late callback never
/// moves a message backwards (a `sent` arriving after `delivered` changes nothing).
public struct DeliveryStatus: Equatable, Sendable, RawRepresentable {
    public let rawValue: String

    /// Any status Twilio sends; unknown ones rank lowest.
    public init(rawValue: String) {
        self.rawValue = rawValue.lowercased()
    }

    /// How far along the message is: final statuses rank highest.
    public var rank: Int {
        switch rawValue {
        case "accepted", "scheduled": 1
        case "queued": 2
        case "sending": 3
        case "sent": 4
        case "delivered", "undelivered", "failed", "canceled": 5
        case "read": 6
        default: 0
        }
    }

    /// Whether this status should replace `current`: only a status further along does.
    public func supersedes(_ current: DeliveryStatus?) -> Bool {
        guard let current else { return true }
        return rank > current.rank
    }
}
