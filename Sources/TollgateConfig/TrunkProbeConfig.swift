/// How a trunk's health is checked with SIP OPTIONS pings.
public struct TrunkProbeConfig: Sendable, Hashable, Codable {
    /// Seconds between probes; greater than zero.
    public var interval: Double = 30
    /// Seconds to wait for a probe's answer; greater than zero and at most `interval`.
    public var timeout: Double = 5
    /// Consecutive failed probes after which the trunk is considered down; at least 1.
    public var failures: Int = 3
    /// Whether probes are sent at all; a trunk that is not probed is always considered up.
    public var enabled: Bool = true

    /// Creates a probe configuration.
    ///
    /// - Parameters:
    ///   - interval: Seconds between probes.
    ///   - timeout: Seconds to wait for an answer.
    ///   - failures: Consecutive failures that mark the trunk down.
    ///   - enabled: Whether probes are sent.
    public init(interval: Double = 30, timeout: Double = 5, failures: Int = 3, enabled: Bool = true) {
        self.interval = interval
        self.timeout = timeout
        self.failures = failures
        self.enabled = enabled
    }
}
