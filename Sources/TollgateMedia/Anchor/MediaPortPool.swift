/// The UDP ports media is anchored on: pairs of an even RTP port and the odd RTCP port above it,
/// handed out round-robin from a configured range (so a port just released is the last to be used
/// again, and a late packet for an ended call does not reach the next one). Pure bookkeeping: the
/// caller binds the sockets and gives back a pair it could not bind.
public struct MediaPortPool: Sendable {
    /// The range the pairs come from (its first even and last odd port).
    public let range: ClosedRange<UInt16>
    private var inUse: Set<UInt16> = []
    private var next: UInt16

    /// A pool over `range`, which must hold at least one even/odd pair.
    public init(range: ClosedRange<UInt16>) {
        let first = range.lowerBound % 2 == 0 ? range.lowerBound : range.lowerBound &+ 1
        let last = range.upperBound % 2 == 1 ? range.upperBound : range.upperBound &- 1
        self.range = first <= last ? first...last : first...first
        next = first
    }

    /// How many pairs the range holds.
    public var capacity: Int { range.count / 2 }
    /// How many pairs are handed out.
    public var allocated: Int { inUse.count }
    /// How many are free.
    public var available: Int { capacity - allocated }

    /// The next free pair's RTP port (RTCP is one above), or nil when every pair is in use.
    public mutating func allocate() -> UInt16? {
        guard capacity > 0, inUse.count < capacity else { return nil }
        for _ in 0..<capacity {
            let port = next
            next = port >= range.upperBound - 1 ? range.lowerBound : port + 2
            if !inUse.contains(port) {
                inUse.insert(port)
                return port
            }
        }
        return nil
    }

    /// Gives back the pair whose RTP port is `port`.
    public mutating func release(_ port: UInt16) {
        inUse.remove(port)
    }

    /// Whether the pair at `port` is handed out.
    public func isAllocated(_ port: UInt16) -> Bool { inUse.contains(port) }
}
