/// Resource limits that protect the gateway from floods and oversized input.
public struct LimitsConfig: Sendable, Hashable, Codable {
    /// The accepted range of ``maxMessageSize``, in bytes.
    public static let messageSizeRange = 1024...16_777_216

    /// The largest SIP message accepted, in bytes.
    public var maxMessageSize: Int = 65536
    /// Seconds a TCP or TLS connection may stay idle before it is closed.
    public var tcpIdleTimeout: Double = 300
    /// The most simultaneous TCP/TLS connections accepted from one source address.
    public var maxConnectionsPerSource: Int = 32

    /// Creates limits.
    ///
    /// - Parameters:
    ///   - maxMessageSize: The largest SIP message accepted, in bytes.
    ///   - tcpIdleTimeout: Seconds before an idle stream connection is closed.
    ///   - maxConnectionsPerSource: Simultaneous stream connections allowed per source address.
    public init(maxMessageSize: Int = 65536, tcpIdleTimeout: Double = 300, maxConnectionsPerSource: Int = 32) {
        self.maxMessageSize = maxMessageSize
        self.tcpIdleTimeout = tcpIdleTimeout
        self.maxConnectionsPerSource = maxConnectionsPerSource
    }
}
