/// How long the next busy-poll window lasts, adapted to the traffic in the manner of Linux's
/// halt polling (`Documentation/virt/guest-halt-polling.rst`): a window that expired shortly before
/// the next piece of work was too short, so the next one is made long enough to have covered that
/// gap, with half of it again as margin; one followed by a quiet spell longer than the maximum was
/// wasted, so the next one is halved.
///
/// Under steady load the window settles just above the gaps between bursts and the loop never
/// sleeps; on a quiet gateway it shrinks to nothing and the loop sleeps as usual. Only windows that
/// expire cost anything, since one that sees work ends there.
public struct SIPBusyPollWindow: Sendable, Hashable {
    /// The longest window, in nanoseconds; zero turns polling off.
    public let maximum: Int64
    /// The current window, in nanoseconds.
    public private(set) var current: Int64 = 0

    /// The shortest window opened after a short sleep (as Linux's `guest_halt_poll_grow_start`).
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
            // The next work came `current + nanoseconds` after the window opened: cover that.
            let gap = current + nanoseconds
            current = min(maximum, max(gap + gap / 2, Self.growStart))
        } else {
            current /= 2
            if current < Self.growStart { current = 0 }
        }
    }
}
