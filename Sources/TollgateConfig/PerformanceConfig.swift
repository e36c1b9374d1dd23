/// How the gateway trades CPU time for latency.
public struct PerformanceConfig: Sendable, Hashable, Codable {
    /// The accepted range of ``busyPollMicroseconds``.
    public static let busyPollRange = 0...20_000
    /// The accepted range of ``busyPollMinimumRate``.
    public static let busyPollMinimumRateRange = 0...1_000_000

    /// The longest time, in microseconds, the event loop keeps polling for its next work after
    /// sending instead of sleeping; zero turns busy polling off.
    ///
    /// Windows open only while the gateway sends at least ``busyPollMinimumRate`` messages a
    /// second. The window adapts to the traffic: it grows to cover the gaps it just missed and
    /// halves after a long quiet spell. Under such load it keeps one core busy, and in exchange no
    /// message waits for the kernel to wake the loop (on a virtual machine whose idle CPUs halt,
    /// that wake-up takes hundreds of microseconds).
    public var busyPollMicroseconds: Int = 5000

    /// The messages sent per second from which busy-poll windows open (about six a call); below
    /// it the loop sleeps as soon as it has nothing to do. Zero opens windows at any rate.
    public var busyPollMinimumRate: Int = 2000

    /// Whether the UDP sockets are read, and their datagrams parsed and validated, on a thread of
    /// their own, while the SIP event loop handles the datagram before: the two share each message's
    /// work, as a second worker would, at the price of one hand-over per datagram.
    public var readerThread: ReaderThread = .auto

    /// Whether the gateway reads its UDP sockets on a thread of their own.
    public enum ReaderThread: String, Sendable, Hashable, Codable, CaseIterable {
        /// On when the host has more than one core.
        case auto
        case on
        case off

        /// Whether a reader thread runs on a host with `cores` cores.
        public func isOn(cores: Int) -> Bool {
            switch self {
            case .auto: cores > 1
            case .on: true
            case .off: false
            }
        }
    }

    /// Creates performance settings.
    ///
    /// - Parameters:
    ///   - busyPollMicroseconds: The longest busy-poll window in microseconds; zero is off.
    ///   - busyPollMinimumRate: The messages sent per second from which windows open.
    ///   - readerThread: Whether the UDP sockets are read on a thread of their own.
    public init(busyPollMicroseconds: Int = 5000, busyPollMinimumRate: Int = 2000, readerThread: ReaderThread = .auto) {
        self.busyPollMicroseconds = busyPollMicroseconds
        self.busyPollMinimumRate = busyPollMinimumRate
        self.readerThread = readerThread
    }
}
