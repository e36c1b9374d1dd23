import Metrics
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the event loop's thread awake for a short window after it has sent, watching for the
/// loop's next piece of work.
///
/// A SIP exchange comes in quick succession: a relayed INVITE is followed by the 100 and 180 from the
/// other side within a fraction of a millisecond, and under load the next burst of calls is never
/// far behind. A thread that goes to sleep between them must be woken by the kernel, and on a
/// virtual machine whose idle CPUs halt, that wake-up can take hundreds of microseconds: more than
/// all of Tollgate's own work on a message. Polling without blocking, and yielding the CPU to any
/// other runnable thread meanwhile, lets the loop take up the next message at once, the way kernel
/// busy polling does for network cards.
///
/// A window is opened only after something has been sent, and only while the gateway sends at least
/// a minimum of messages a second (``SIPTransportLayer/defaultBusyPollMinimumRate`` unless
/// configured): below that a message rarely waits behind another, and a core kept busy would buy
/// little. Its length adapts to the traffic (``SIPBusyPollWindow``). What is watched is the loop's own epoll
/// instance (``SIPEventLoopSelector``): the window closes as soon as a datagram, bytes on a
/// connection or a due timer are waiting. (Where that instance cannot be found, the UDP sockets are
/// watched instead.) When the UDP sockets are read on a loop of their own, what is watched is the
/// work that loop hands over (``SIPHandoffCount``), and connections and timers are taken up between
/// slices. The window runs as a chain of short slices, each a task of the loop, so the
/// tasks other threads hand to the loop, and timers set meanwhile, run between two slices.
///
/// Used on the event loop only.
final class SIPReceivePoller {
    /// How an opened window went.
    enum Outcome: Equatable {
        /// Work is waiting for the loop.
        case work
        /// The window passed with nothing to do; the loop may sleep.
        case expired
        /// This slice passed; the window goes on after the tasks queued meanwhile.
        case sliceOver
    }

    /// The longest stretch of one slice of a window.
    static let slice = TimeAmount.microseconds(50)
    /// How often the send rate is measured.
    static let ratePeriod = TimeAmount.milliseconds(100)

    private(set) var window: SIPBusyPollWindow
    private var descriptors: [pollfd] = []
    /// When the window in progress closes, if one is open.
    private(set) var openUntil: NIODeadline?
    /// When the last window expired with nothing to do; the time until the next window tells
    /// how long the loop slept.
    private var expiredAt: NIODeadline?
    /// Messages sent per second from which windows open.
    let minimumSendRate: Int
    /// Sends counted since `periodStart`.
    private var sends = 0
    private var periodStart = NIODeadline.now()
    /// Messages sent per second over the last whole period.
    private(set) var sendRate = 0
    private let spinTime = Counter(label: "tollgate_transport_busy_poll_nanoseconds_total")
    private let caught = Counter(label: "tollgate_transport_busy_polls_total", dimensions: [("result", "work")])
    private let expired = Counter(label: "tollgate_transport_busy_polls_total", dimensions: [("result", "expired")])

    /// - Parameters:
    ///   - maximumWindow: the longest window; zero turns polling off.
    ///   - minimumSendRate: the messages sent per second from which windows open.
    convenience init(maximumWindow: TimeAmount, minimumSendRate: Int = SIPTransportLayer.defaultBusyPollMinimumRate) {
        self.init(window: SIPBusyPollWindow(maximum: maximumWindow.nanoseconds), minimumSendRate: minimumSendRate)
    }

    /// A poller whose window starts where `window` is, opening windows from `minimumSendRate`
    /// messages sent per second.
    init(window: SIPBusyPollWindow, minimumSendRate: Int = SIPTransportLayer.defaultBusyPollMinimumRate) {
        self.window = window
        self.minimumSendRate = minimumSendRate
    }

    /// Whether windows are opened after sends.
    var isEnabled: Bool { window.isEnabled && (!descriptors.isEmpty || pending != nil) }

    /// Work handed to the loop by the thread that reads the UDP sockets and not yet taken up,
    /// when the sockets are read on a loop of their own.
    var pending: SIPHandoffCount?

    /// Whether a window is open (between two of its slices, or in one).
    var isWindowOpen: Bool { openUntil != nil }

    /// Adds a descriptor to watch for input: the loop's epoll instance, or a bound UDP socket.
    func watch(_ descriptor: CInt) {
        descriptors.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
    }

    /// Stops watching anything (before the sockets are closed).
    func forgetAll() {
        descriptors.removeAll()
        pending = nil
        openUntil = nil
        expiredAt = nil
    }

    /// Counts one message sent (the rate decides whether windows open).
    func countSend() {
        sends &+= 1
    }

    /// Opens a window on `loop`, the loop whose work is watched, unless one is open or the send
    /// rate is under the minimum: one slice now, the next as a task queued behind what other
    /// threads have handed the loop meanwhile, until work is waiting or the window has passed.
    /// Call on `loop`.
    func openWindow(on loop: EventLoop) {
        guard isEnabled, !isWindowOpen else { return }
        let now = NIODeadline.now()
        let elapsed = now - periodStart
        if elapsed >= Self.ratePeriod {
            sendRate = Int(Int64(sends) * 1_000_000_000 / elapsed.nanoseconds)
            sends = 0
            periodStart = now
        }
        guard sendRate >= minimumSendRate else {
            // The loop sleeps as usual; a later window starts from what the traffic is then.
            expiredAt = nil
            return
        }
        runSlices(on: loop)
    }

    private func runSlices(on loop: EventLoop) {
        guard pollSlice(upTo: Self.slice) == .sliceOver else { return }
        loop.execute { self.runSlices(on: loop) }
    }

    /// One slice of the window: opens the window if none is open, then watches until work is
    /// waiting, the slice has passed (`slice`), or the window has.
    func pollSlice(upTo slice: TimeAmount) -> Outcome {
        guard isEnabled else { return .expired }
        let start = NIODeadline.now()
        let closing: NIODeadline
        if let openUntil {
            closing = openUntil
        } else {
            if let expiredAt {
                window.expired(thenSlept: (start - expiredAt).nanoseconds)
                self.expiredAt = nil
            }
            closing = start + .nanoseconds(window.current)
            openUntil = closing
        }
        let sliceEnd = min(closing, start + slice)
        let ready = descriptors.withUnsafeMutableBufferPointer { fds in
            while true {
                if let pending, pending.isWaiting { return true }
                if fds.count > 0, poll(fds.baseAddress, nfds_t(fds.count), 0) > 0 { return true }
                if NIODeadline.now() >= sliceEnd { return false }
                sched_yield()
            }
        }
        let now = NIODeadline.now()
        spinTime.increment(by: (now - start).nanoseconds)
        if ready {
            caught.increment()
            openUntil = nil
            return .work
        }
        if now >= closing {
            expired.increment()
            openUntil = nil
            expiredAt = now
            return .expired
        }
        return .sliceOver
    }
}
