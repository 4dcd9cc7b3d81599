public import Foundation

extension Date {
    /// Unix time in whole milliseconds, as the stores keep it.
    public var unixMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// A date from Unix milliseconds.
    public init(unixMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000)
    }
}
