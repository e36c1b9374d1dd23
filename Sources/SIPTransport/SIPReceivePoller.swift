import Metrics
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the event loop's thread awake for a short window after it has sent, watching the UDP
/// sockets for the next datagram.
///
/// A SIP exchange comes in quick succession: a relayed INVITE is followed by the 100 and 180 from the
/// other side within a fraction of a millisecond, and under load the next burst of calls is never
/// far behind. A thread that goes to sleep between them must be woken by the kernel, and on a
/// virtual machine whose idle CPUs halt, that wake-up can take hundreds of microseconds: more than
/// all of Tollgate's own work on a message. Polling the sockets without blocking, and yielding the
/// CPU to any other runnable thread meanwhile, lets the loop pick up the next datagram at once, the
/// way kernel busy polling does for network cards.
///
/// A window is opened only after a batch of datagrams has been sent, so an idle gateway does not
/// spin; its length adapts to the traffic (``SIPBusyPollWindow``); it closes as soon as a datagram
/// is waiting, and NIO then reads it. TCP and TLS input and timers wait at most one window.
///
/// Used on the event loop only.
final class SIPReceivePoller {
    private(set) var window: SIPBusyPollWindow
    private var descriptors: [pollfd] = []
    /// When the last window expired with nothing waiting; the time until the next window tells
    /// how long the loop slept.
    private var expiredAt: NIODeadline?
    private let spinTime = Counter(label: "tollgate_transport_busy_poll_nanoseconds_total")
    private let caught = Counter(label: "tollgate_transport_busy_polls_total", dimensions: [("result", "datagram")])
    private let expired = Counter(label: "tollgate_transport_busy_polls_total", dimensions: [("result", "expired")])

    /// - Parameter maximumWindow: the longest window; zero turns polling off.
    init(maximumWindow: TimeAmount) {
        self.window = SIPBusyPollWindow(maximum: maximumWindow.nanoseconds)
    }

    /// Whether windows are opened after sends.
    var isEnabled: Bool { window.isEnabled && !descriptors.isEmpty }

    /// Adds a bound UDP socket to watch.
    func watch(_ descriptor: CInt) {
        descriptors.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
    }

    /// Stops watching a socket (before it is closed).
    func forget(_ descriptor: CInt) {
        descriptors.removeAll { $0.fd == descriptor }
    }

    /// Watches the sockets until one has a datagram waiting or the current window has passed.
    ///
    /// - Returns: whether a datagram is waiting.
    @discardableResult
    func waitForDatagram() -> Bool {
        guard isEnabled else { return false }
        let start = NIODeadline.now()
        if let expiredAt {
            window.expired(thenSlept: (start - expiredAt).nanoseconds)
            self.expiredAt = nil
        }
        let deadline = start + .nanoseconds(window.current)
        var ready = false
        descriptors.withUnsafeMutableBufferPointer { fds in
            while true {
                if poll(fds.baseAddress, nfds_t(fds.count), 0) > 0 {
                    ready = true
                    return
                }
                if NIODeadline.now() >= deadline { return }
                sched_yield()
            }
        }
        let end = NIODeadline.now()
        spinTime.increment(by: (end - start).nanoseconds)
        if ready {
            caught.increment()
        } else {
            expired.increment()
            expiredAt = end
        }
        return ready
    }
}
