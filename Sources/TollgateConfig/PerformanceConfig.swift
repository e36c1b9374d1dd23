/// How the gateway trades CPU time for latency.
public struct PerformanceConfig: Sendable, Hashable, Codable {
    /// The accepted range of ``busyPollMicroseconds``.
    public static let busyPollRange = 0...20_000

    /// The longest time, in microseconds, the event loop keeps polling for its next work after
    /// sending instead of sleeping; zero turns busy polling off.
    ///
    /// Windows open only while the gateway sends more than about 8000 messages a second. The
    /// window adapts to the traffic: it grows to cover the gaps it just missed and halves after a
    /// long quiet spell. Under such load it keeps one core busy, and in exchange no message waits
    /// for the kernel to wake the loop (on a virtual machine whose idle CPUs halt, that wake-up
    /// takes hundreds of microseconds).
    public var busyPollMicroseconds: Int = 5000

    /// Creates performance settings.
    ///
    /// - Parameter busyPollMicroseconds: The longest busy-poll window in microseconds; zero is off.
    public init(busyPollMicroseconds: Int = 5000) {
        self.busyPollMicroseconds = busyPollMicroseconds
    }
}
