import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Anchors calls' media: binds their ports from one pool, runs each call's relay on a media loop of
/// its group (all of a call's sockets on one loop, so a packet never crosses threads), and gives the
/// ports back when the call ends. Thread-safe; the offer/answer side (``MediaNegotiation``) is the
/// caller's, on the gateway's loop.
public final class MediaRelay: Sendable {
    /// Settings of the relay.
    public struct Configuration: Sendable, Hashable {
        /// RTP ports (even) and RTCP (odd) come from this range.
        public var ports: ClosedRange<UInt16>
        /// Drop plain media from anywhere but the signalled address, even before the peer has sent.
        public var strictSource: Bool
        /// No media either way (or from one side) for this long is a `media-timeout` event.
        public var timeout: TimeAmount
        /// The same while a call is on hold.
        public var holdTimeout: TimeAmount

        public init(ports: ClosedRange<UInt16> = 20_000...39_999, strictSource: Bool = false, timeout: TimeAmount = .seconds(60),
                    holdTimeout: TimeAmount = .seconds(3_600)) {
            self.ports = ports
            self.strictSource = strictSource
            self.timeout = timeout
            self.holdTimeout = holdTimeout
        }
    }

    public let configuration: Configuration
    private let loops: MediaLoopGroup
    private let pool: NIOLockedValueBox<MediaPortPool>
    private let onEvent: @Sendable (MediaEvent) -> Void
    private let logger: Logger

    /// A relay whose ports run on `loops`; `onEvent` is called (on a media loop) for each media event.
    public init(configuration: Configuration, loops: MediaLoopGroup, logger: Logger = Logger(label: "tollgate.media"),
                onEvent: @escaping @Sendable (MediaEvent) -> Void) {
        self.configuration = configuration
        self.loops = loops
        self.pool = NIOLockedValueBox(MediaPortPool(range: configuration.ports))
        self.onEvent = onEvent
        self.logger = logger
    }

    /// Port pairs in use and in all.
    public var portsInUse: Int { pool.withLockedValue { $0.allocated } }
    public var portCapacity: Int { pool.withLockedValue { $0.capacity } }

    /// Starts a call's relay.
    public func open(callID: String) -> MediaCallRelay {
        MediaCallRelay(callID: callID, relay: self, loop: loops.next())
    }

    // MARK: - For calls

    fileprivate func bindPair(address: String, loop: MediaLoop, call: MediaLoopBound<MediaRelayCall>, side: MediaSide, stream: Int) -> UInt16? {
        // A pair another process holds is skipped and given back: the pool hands pairs out round-robin,
        // so it is not tried again before the rest of the range.
        for _ in 0..<8 {
            guard let port = pool.withLockedValue({ $0.allocate() }) else { return nil }
            do {
                let rtp = try SIPDatagramSocket(binding: SocketAddress(ipAddress: address, port: Int(port)), listener: "media \(address):\(port)",
                                                bufferSize: 1 << 20, reuseAddress: false)
                let rtcp: SIPDatagramSocket
                do {
                    rtcp = try SIPDatagramSocket(binding: SocketAddress(ipAddress: address, port: Int(port) + 1),
                                                 listener: "media \(address):\(port + 1)", bufferSize: 1 << 20, reuseAddress: false)
                } catch {
                    _ = closeDescriptor(rtp.descriptor)
                    throw error
                }
                let descriptors = (rtp: rtp.descriptor, rtcp: rtcp.descriptor)
                loop.execute {
                    let call = call.value
                    for (descriptor, isRTCP) in [(descriptors.rtp, false), (descriptors.rtcp, true)] {
                        if call.closed {
                            _ = closeDescriptor(descriptor)
                        } else if loop.watch(descriptor, call: call, side: side, stream: stream, rtcp: isRTCP) {
                            call.attach(descriptor, side: side, stream: stream, rtcp: isRTCP)
                        }
                    }
                }
                return port
            } catch {
                logger.warning("media port not bound", metadata: ["port": "\(port)", "error": "\(error)"])
                pool.withLockedValue { $0.release(port) }
                continue
            }
        }
        return nil
    }

    fileprivate func release(_ ports: [UInt16]) {
        pool.withLockedValue { pool in for port in ports { pool.release(port) } }
    }

    fileprivate func report(_ event: MediaEvent) { onEvent(event) }
}

private func closeDescriptor(_ descriptor: CInt) -> CInt {
    #if canImport(Glibc)
    return Glibc.close(descriptor)
    #elseif canImport(Musl)
    return Musl.close(descriptor)
    #else
    return Darwin.close(descriptor)
    #endif
}

/// A value confined to a media loop, passed between threads only to be used on that loop.
final class MediaLoopBound<Value>: @unchecked Sendable {
    private let loop: MediaLoop
    private let boxed: Value

    init(_ value: Value, loop: MediaLoop) {
        self.boxed = value
        self.loop = loop
    }

    /// The value; only on its loop (or once the loop has stopped).
    var value: Value {
        assert(loop.inLoop || !loop.isRunning, "a media loop's value used off its loop")
        return boxed
    }
}

/// One call's media relay, as the gateway's loop holds it: binds ports as the negotiation asks for
/// them, passes each new plan to the relay's loop, and ends it. Thread-safe.
public final class MediaCallRelay: Sendable {
    public let callID: String
    private let relay: MediaRelay
    private let loop: MediaLoop
    private let call: MediaLoopBound<MediaRelayCall>
    private let ports = NIOLockedValueBox<[UInt16]>([])
    private let statisticsBox: NIOLockedValueBox<MediaStatistics>
    /// Whether the call has ended and its ports are back, and who waits for that.
    private let ending = NIOLockedValueBox<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    fileprivate init(callID: String, relay: MediaRelay, loop: MediaLoop) {
        self.callID = callID
        self.relay = relay
        self.loop = loop
        let statisticsBox = NIOLockedValueBox(MediaStatistics())
        self.statisticsBox = statisticsBox
        let call = MediaRelayCall(callID: callID, strictSource: relay.configuration.strictSource,
                                  publish: { statistics in statisticsBox.withLockedValue { $0 = statistics } },
                                  report: { [relay] event in relay.report(event) })
        let bound = MediaLoopBound(call, loop: loop)
        self.call = bound
        let timeout = relay.configuration.timeout
        let holdTimeout = relay.configuration.holdTimeout
        loop.execute { loop.adopt(bound.value, timeout: timeout, holdTimeout: holdTimeout) }
    }

    /// Binds an RTP/RTCP pair on `side` at `address` for stream `stream`: the port, or nil when none is free.
    public func bindPorts(side: MediaSide, address: String, stream: Int) -> UInt16? {
        guard let port = relay.bindPair(address: address, loop: loop, call: call, side: side, stream: stream) else { return nil }
        ports.withLockedValue { $0.append(port) }
        return port
    }

    /// Follows a negotiation's plans from now on.
    public func apply(_ plans: [MediaSide: [MediaStreamPlan]]) {
        let call = self.call
        loop.execute { call.value.apply(plans) }
    }

    /// The call was answered: the silence that counts starts now (ringing with early SDP and no
    /// early media is not dead audio), and a timeout reported while it rang may be reported again.
    public func answered() {
        let call = self.call
        loop.execute { call.value.restartTimeouts(at: .now()) }
    }

    /// The counts so far (at most one burst of reads behind).
    public var statistics: MediaStatistics { statisticsBox.withLockedValue { $0 } }

    /// Ends the call's media: its sockets close, then its ports go back to the pool
    /// (``waitUntilClosed()`` waits for that).
    public func close() {
        let call = self.call
        let loop = self.loop
        let relay = self.relay
        let ports = self.ports
        let ending = self.ending
        loop.execute {
            for descriptor in call.value.close() { loop.unwatch(descriptor) }
            loop.forget(call.value)
            relay.release(ports.withLockedValue { taken in defer { taken = [] }; return taken })
            let waiters = ending.withLockedValue { ending in
                defer { ending = (true, []) }
                return ending.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Returns once ``close()`` has closed the call's sockets and given its ports back.
    public func waitUntilClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = ending.withLockedValue { ending in
                if !ending.done { ending.waiters.append(continuation) }
                return ending.done
            }
            if done { continuation.resume() }
        }
    }
}
