import NIOCore

/// What counts as loopback: where development mode may listen, and the clients `/metrics`
/// serves while no operator credential exists.
enum Loopback {
    /// Whether `host` (an `http.host` value, or a client's IP address) is loopback.
    static func contains(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") || host.hasPrefix("::ffff:127.")
    }

    /// Whether the client at `address` is on loopback.
    static func contains(_ address: SocketAddress) -> Bool {
        address.ipAddress.map(contains) ?? false
    }
}
