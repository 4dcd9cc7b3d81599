extension StringProtocol {
    /// The text without the leading and trailing characters `isTrimmed` picks, e.g.
    /// `text.trimming(\.isWhitespace)`. Pure Swift: Foundation's `trimmingCharacters(in:)`
    /// goes through NSString on Linux, too slow for the hot path.
    public func trimming(_ isTrimmed: (Character) -> Bool) -> SubSequence {
        let start = firstIndex { !isTrimmed($0) } ?? endIndex
        let end = self[start...].lastIndex { !isTrimmed($0) }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
