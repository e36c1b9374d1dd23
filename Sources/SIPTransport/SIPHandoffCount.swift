import Synchronization

/// How many pieces of work one thread has handed to an event loop that it has not taken up yet:
/// what a busy-polling loop watches when the packets it handles are read on another thread.
public final class SIPHandoffCount: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    /// How many pieces of work are waiting.
    public var waiting: Int { count.load(ordering: .acquiring) }

    /// Whether work is waiting.
    public var isWaiting: Bool { waiting > 0 }

    /// One more piece of work handed over.
    public func handedOver() { count.add(1, ordering: .releasing) }

    /// One piece taken up.
    public func takenUp() { count.subtract(1, ordering: .relaxed) }
}
