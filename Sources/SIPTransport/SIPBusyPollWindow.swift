/// How long the next busy-poll window lasts, adapted to the traffic the way Linux adapts its guest
/// halt polling (`Documentation/virt/guest-halt-polling.rst`): a window that expired just before
/// the next datagram was too short, so it doubles; one followed by a long quiet spell was wasted,
/// so it halves.
///
/// Under steady load the window grows to cover the gaps between bursts and the loop never sleeps;
/// on a quiet gateway it shrinks to nothing and the loop sleeps as usual.
public struct SIPBusyPollWindow: Sendable, Hashable {
    /// The longest window, in nanoseconds; zero turns polling off.
    public let maximum: Int64
    /// The current window, in nanoseconds.
    public private(set) var current: Int64 = 0

    /// The first window opened after a short sleep (Linux's `guest_halt_poll_grow_start`).
    public static let growStart: Int64 = 50_000

    /// - Parameter maximum: the longest window, in nanoseconds; zero or less turns polling off.
    public init(maximum: Int64) {
        self.maximum = max(0, maximum)
    }

    /// Whether polling is on at all.
    public var isEnabled: Bool { maximum > 0 }

    /// Adapts the window after one that expired with no datagram, once the loop has slept for
    /// `nanoseconds` before it had work again.
    public mutating func expired(thenSlept nanoseconds: Int64) {
        guard isEnabled else { return }
        if nanoseconds <= maximum {
            // A window long enough would have caught the next datagram without a wake-up.
            current = min(maximum, max(current * 2, Self.growStart))
        } else {
            current /= 2
            if current < Self.growStart { current = 0 }
        }
    }
}
