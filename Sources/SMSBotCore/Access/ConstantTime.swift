/// Comparisons of secrets (credential digests, CSRF tokens) that take the same time wherever
/// the inputs differ, so timing tells an attacker nothing about how close a guess was.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes; only their lengths may show in the time taken.
    public static func equal(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        let (left, right) = (Array(lhs.utf8), Array(rhs.utf8))
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
