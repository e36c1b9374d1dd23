import CTollgateMediaIO
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A media loop could not be started.
public struct MediaLoopError: Error, CustomStringConvertible {
    /// What was being made (`epoll instance`, `eventfd`).
    public let step: String
    /// The system's reason.
    public let reason: String

    public var description: String { "media loop: \(step) failed: \(reason)" }
}

/// One thread that moves anchored calls' packets, the way a media relay's worker does.
///
/// It waits on one epoll instance over every port of its calls; for each port with a datagram, it
/// reads it into one buffer, lets the port's call decide (``MediaRelayCall``: unprotect, check,
/// latch, count, protect, all in place) and sends the result straight on from the other side's
/// port. Nothing is allocated and no closure runs per packet: a packet costs one `recvmsg` and one
/// `sendto`, and a wake-up is shared by every port that was ready. (Each call has ports of its own,
/// so reads and sends cannot be batched per socket.)
///
/// Everything else — watching a call's new ports, new plans, timeouts, closing — runs on the same
/// thread as a task between two waits (``execute(_:)``), so a call's state is never shared.
/// Once the loop has stopped, tasks run at once on the caller, one at a time, so that a call
/// ended during shutdown still closes its ports.
final class MediaLoop: @unchecked Sendable {
    /// The longest datagram relayed; a longer one is dropped as malformed.
    static let datagramLimit = 2_048
    /// Readable ports taken per wait.
    static let tokensPerWait = 256
    /// How often a call is checked for silence, at most.
    static let longestCheckPeriod = TimeAmount.seconds(5)

    /// A watched port: whose it is, and which of its ports.
    private struct Port {
        let call: MediaRelayCall
        let side: MediaSide
        let stream: Int
        let rtcp: Bool
    }

    /// A call the loop checks for silence.
    private final class Watched {
        let call: MediaRelayCall
        let timeout: TimeAmount
        let holdTimeout: TimeAmount
        let period: TimeAmount
        var nextCheck: NIODeadline

        init(call: MediaRelayCall, timeout: TimeAmount, holdTimeout: TimeAmount, now: NIODeadline) {
            self.call = call
            self.timeout = timeout
            self.holdTimeout = holdTimeout
            period = min(MediaLoop.longestCheckPeriod, timeout)
            nextCheck = now + period
        }
    }

    private let name: String
    private let logger: Logger
    private let poller: CInt
    private let wakeup: CInt
    /// Tasks handed over by other threads, and whether the loop has stopped taking them.
    private let queue = NIOLockedValueBox<(tasks: [@Sendable () -> Void], stopped: Bool)>(([], false))
    /// Serialises tasks run on callers once the loop has stopped.
    private let afterStop = NIOLock()
    private let exited = ConditionLock<Bool>(value: false)
    private let threadID = NIOLockedValueBox<pthread_t?>(nil)

    // Confined to the loop's thread.
    /// Watched ports, by descriptor.
    private var ports: [Port?] = []
    private var watched: [ObjectIdentifier: Watched] = [:]
    private var tickPeriod = MediaLoop.longestCheckPeriod
    private var nextTick = NIODeadline.now() + MediaLoop.longestCheckPeriod
    private var stopping = false
    /// The loop has stopped and closed its epoll instance.
    private var closedDown = false
    /// Calls whose counts changed in this burst of reads.
    private var changed: [MediaRelayCall] = []
    private let buffer: UnsafeMutableRawBufferPointer
    private let tokens: UnsafeMutablePointer<UInt64>
    private let source: UnsafeMutablePointer<sockaddr_storage>
    private let destination: UnsafeMutablePointer<sockaddr_storage>
    private let vector: UnsafeMutablePointer<iovec>
    private let message: UnsafeMutablePointer<msghdr>

    private let sendFailures = Counter(label: "tollgate_media_dropped_packets_total", dimensions: [("reason", "send-failed")])
    private let receiveFailures = Counter(label: "tollgate_media_dropped_packets_total", dimensions: [("reason", "receive-failed")])
    private let oversized = Counter(label: "tollgate_media_dropped_packets_total", dimensions: [("reason", "oversized")])

    /// Starts a loop on a thread of its own named `name`.
    init(name: String, logger: Logger) throws(MediaLoopError) {
        self.name = name
        self.logger = logger
        let poller = tg_media_poller_create()
        guard poller >= 0 else { throw MediaLoopError(step: "epoll instance", reason: String(cString: strerror(errno))) }
        let wakeup = tg_media_wakeup_create()
        guard wakeup >= 0 else {
            let reason = String(cString: strerror(errno))
            _ = close(poller)
            throw MediaLoopError(step: "eventfd", reason: reason)
        }
        guard tg_media_poller_add(poller, wakeup, UInt64.max) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = close(poller)
            _ = close(wakeup)
            throw MediaLoopError(step: "watching the eventfd", reason: reason)
        }
        self.poller = poller
        self.wakeup = wakeup
        buffer = .allocate(byteCount: Self.datagramLimit + SRTPContext.maximumOverhead, alignment: 16)
        tokens = .allocate(capacity: Self.tokensPerWait)
        source = .allocate(capacity: 1)
        destination = .allocate(capacity: 1)
        vector = .allocate(capacity: 1)
        message = .allocate(capacity: 1)
        vector.initialize(to: iovec(iov_base: buffer.baseAddress, iov_len: Self.datagramLimit))
        message.initialize(to: msghdr())
        message.pointee.msg_name = UnsafeMutableRawPointer(source)
        message.pointee.msg_iov = vector
        message.pointee.msg_iovlen = 1
        Thread { [self] in run() }.start()
    }

    deinit {
        buffer.deallocate()
        tokens.deallocate()
        source.deallocate()
        destination.deallocate()
        vector.deallocate()
        message.deallocate()
    }

    /// Whether the loop's thread still takes tasks.
    var isRunning: Bool { queue.withLockedValue { !$0.stopped } }

    /// Whether the caller is the loop's thread.
    var inLoop: Bool {
        guard let id = threadID.withLockedValue({ $0 }) else { return false }
        return pthread_equal(id, pthread_self()) != 0
    }

    /// Runs `task` on the loop's thread, after the tasks handed over before it.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let (first, stopped) = queue.withLockedValue { queue -> (Bool, Bool) in
            guard !queue.stopped else { return (false, true) }
            queue.tasks.append(task)
            return (queue.tasks.count == 1, false)
        }
        if stopped {
            afterStop.withLock { task() }
        } else if first {
            _ = tg_media_wakeup_signal(wakeup)
        }
    }

    /// Stops the loop: the tasks handed over so far run, every port still watched is closed, and the
    /// thread ends before this returns.
    func shutdown() async {
        execute { [self] in stopping = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [exited] in
                exited.lock(whenValue: true)
                exited.unlock()
                continuation.resume()
            }
        }
    }

    // MARK: - On the loop

    /// Watches `descriptor`, a port of `call`'s; false (and the descriptor closed) when it cannot be.
    func watch(_ descriptor: CInt, call: MediaRelayCall, side: MediaSide, stream: Int, rtcp: Bool) -> Bool {
        guard descriptor >= 0, !closedDown, tg_media_poller_add(poller, descriptor, UInt64(descriptor)) == 0 else {
            logger.warning("media port not watched", metadata: ["error": "\(String(cString: strerror(errno)))"])
            _ = close(descriptor)
            return false
        }
        let index = Int(descriptor)
        if ports.count <= index { ports.append(contentsOf: repeatElement(nil, count: index + 1 - ports.count)) }
        ports[index] = Port(call: call, side: side, stream: stream, rtcp: rtcp)
        return true
    }

    /// Stops watching `descriptor` and closes it.
    func unwatch(_ descriptor: CInt) {
        if !closedDown { _ = tg_media_poller_remove(poller, descriptor) }
        if Int(descriptor) < ports.count { ports[Int(descriptor)] = nil }
        _ = close(descriptor)
    }

    /// Checks `call` for silence from now on.
    func adopt(_ call: MediaRelayCall, timeout: TimeAmount, holdTimeout: TimeAmount) {
        let now = NIODeadline.now()
        let entry = Watched(call: call, timeout: timeout, holdTimeout: holdTimeout, now: now)
        watched[ObjectIdentifier(call)] = entry
        if entry.period < tickPeriod {
            tickPeriod = entry.period
            nextTick = min(nextTick, now + tickPeriod)
        }
    }

    /// Stops checking `call`.
    func forget(_ call: MediaRelayCall) {
        watched[ObjectIdentifier(call)] = nil
    }

    private func run() {
        threadID.withLockedValue { $0 = pthread_self() }
        _ = tg_media_name_thread(name)
        while !stopping {
            let now = NIODeadline.now()
            let wait = max(0, (nextTick - now).nanoseconds / 1_000_000 + 1)
            let count = tg_media_poller_wait(poller, tokens, CInt(Self.tokensPerWait), CInt(min(wait, 60_000)))
            if count < 0 {
                if errno != EINTR { logger.error("media loop wait failed", metadata: ["error": "\(String(cString: strerror(errno)))"]) }
                continue
            }
            let woken = NIODeadline.now()
            // Tasks first: a plan handed over before a packet arrived (the answer that made the peer
            // send it) must be in force when that packet is read, or it would be dropped as unnegotiated.
            if (0..<Int(count)).contains(where: { tokens[$0] == UInt64.max }) { runTasks() }
            for index in 0..<Int(count) {
                let token = tokens[index]
                guard token != UInt64.max else { continue }
                let descriptor = Int(truncatingIfNeeded: token)
                guard descriptor < ports.count, let port = ports[descriptor] else { continue }
                receive(on: CInt(descriptor), port: port, now: woken)
            }
            if !changed.isEmpty {
                for call in changed { call.publishCounts() }
                changed.removeAll(keepingCapacity: true)
            }
            if woken >= nextTick { tick(woken) }
        }
        // Stopped: whatever was handed over until now runs; later tasks run on their callers.
        queue.withLockedValue { $0.stopped = true }
        runTasks()
        for (index, port) in ports.enumerated() where port != nil { unwatch(CInt(index)) }
        closedDown = true
        _ = close(poller)
        _ = close(wakeup)
        exited.lock()
        exited.unlock(withValue: true)
    }

    private func runTasks() {
        _ = tg_media_wakeup_drain(wakeup)
        let tasks = queue.withLockedValue { queue in
            defer { queue.tasks = [] }
            return queue.tasks
        }
        for task in tasks { task() }
    }

    private func tick(_ now: NIODeadline) {
        nextTick = now + tickPeriod
        for entry in watched.values where entry.nextCheck <= now {
            entry.nextCheck = now + entry.period
            entry.call.checkTimeout(now: now, timeout: entry.timeout, holdTimeout: entry.holdTimeout)
        }
    }

    /// Reads one datagram from a ready port (a port is woken again while it has more) and sends on
    /// what its call makes of it.
    private func receive(on descriptor: CInt, port: Port, now: NIODeadline) {
        message.pointee.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
        message.pointee.msg_flags = 0
        let received = recvmsg(descriptor, message, 0)
        guard received >= 0 else {
            let error = errno
            if error != EAGAIN, error != EWOULDBLOCK, error != EINTR { receiveFailures.increment() }
            return
        }
        if message.pointee.msg_flags & Int32(MSG_TRUNC) != 0 {
            oversized.increment()
            port.call.droppedMalformed()
        } else if let from = MediaEndpoint(source) {
            if let forward = port.call.received(buffer, length: received, side: port.side, stream: port.stream, rtcpPort: port.rtcp,
                                                from: from, now: now) {
                send(forward)
            }
        } else {
            // Neither IPv4 nor IPv6: not a media peer.
            port.call.droppedMalformed()
        }
        if port.call.needsPublishing() { changed.append(port.call) }
    }

    /// Sends the packet in the buffer as its call decided.
    private func send(_ forward: MediaRelayCall.Forward) {
        let length = forward.destination.write(to: destination)
        let sent = destination.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
            sendto(forward.descriptor, buffer.baseAddress, forward.length, 0, address, length)
        }
        if sent < 0 { sendFailures.increment() }
    }
}

/// The media loops of a relay: one thread each, calls spread over them round-robin (a call's ports
/// all on one loop, so its packets never cross threads).
public final class MediaLoopGroup: Sendable {
    let loops: [MediaLoop]
    private let counter = NIOLockedValueBox(0)

    /// Starts `numberOfThreads` loops (at least one).
    /// - Throws: ``MediaLoopError`` where the system has no epoll or refuses one.
    public init(numberOfThreads: Int, logger: Logger = Logger(label: "tollgate.media")) throws(MediaLoopError) {
        var loops: [MediaLoop] = []
        for index in 0..<max(1, numberOfThreads) {
            do {
                loops.append(try MediaLoop(name: "tg-media-\(index)", logger: logger))
            } catch {
                let started = loops
                Task { for loop in started { await loop.shutdown() } }
                throw error
            }
        }
        self.loops = loops
    }

    /// The loop for the next call.
    func next() -> MediaLoop {
        loops[counter.withLockedValue { counter in
            defer { counter = (counter + 1) % loops.count }
            return counter
        }]
    }

    /// Stops every loop, closing the ports they still watch.
    public func shutdown() async {
        for loop in loops { await loop.shutdown() }
    }
}
