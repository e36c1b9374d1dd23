import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPCore

/// A SIP client for active checks over UDP: sends a request to one target, retransmits it as RFC
/// 3261 does (T1 = 500 ms) until a final response or the timeout, and returns what came back.
/// Every request waits for the rate limiter first, so a check never floods the host it checks.
public final class SIPProbe: Sendable {
    /// What a request got.
    public struct Exchange: Sendable {
        /// The provisional responses, in order.
        public var provisional: [SIPMessage]
        /// The final response, or nil when none came within the timeout.
        public var final: SIPMessage?
    }

    let channel: any Channel
    let target: SocketAddress
    let timeout: TimeAmount
    let limiter: RateLimiter
    private let waiting = NIOLockedValueBox<[String: AsyncStream<SIPMessage>.Continuation]>([:])
    /// The local address requests come from (IP text).
    public let localAddress: String
    public let localPort: Int

    /// Binds a UDP socket on `source` (any address when nil) for talking to `host:port`.
    public init(host: String, port: Int, source: String? = nil, timeout: TimeAmount = .seconds(2), requestsPerSecond: Double = 5,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        self.target = try SocketAddress(ipAddress: host, port: port)
        self.timeout = timeout
        self.limiter = RateLimiter(perSecond: requestsPerSecond)
        let waiting = self.waiting
        let bindHost = source ?? (target.protocol == .inet6 ? "::" : "0.0.0.0")
        channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProbeHandler(waiting: waiting))
                }
            }
            .bind(host: bindHost, port: 0).get()
        localAddress = channel.localAddress?.ipAddress ?? bindHost
        localPort = channel.localAddress?.port ?? 0
    }

    /// Sends `request` and waits for its final response (retransmitting over UDP).
    public func send(_ request: SIPMessage) async throws -> Exchange {
        await limiter.wait()
        guard let callID = request.firstValue(of: .callID), let cseq = try? request.cseq() else { return Exchange(provisional: [], final: nil) }
        let key = "\(callID)|\(cseq.sequence)|\(cseq.method.token)"
        let (stream, continuation) = AsyncStream<SIPMessage>.makeStream()
        waiting.withLockedValue { $0[key] = continuation }
        defer { waiting.withLockedValue { _ = $0.removeValue(forKey: key) } }
        let bytes = request.serialized()
        let channel = self.channel
        let target = self.target
        func transmit() {
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: buffer), promise: nil)
        }
        transmit()
        // Retransmissions at 500 ms, 1 s, 2 s … until the first response (RFC 3261 timer A/E).
        var interval = TimeAmount.milliseconds(500)
        var elapsed = TimeAmount.zero
        var retransmitter: Scheduled<Void>?
        func schedule() {
            retransmitter = channel.eventLoop.scheduleTask(in: interval) {
                transmit()
                elapsed = elapsed + interval
                interval = min(interval * 2, .seconds(4))
                schedule()
            }
        }
        schedule()
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { continuation.finish() }
        defer {
            deadline.cancel()
            channel.eventLoop.execute { retransmitter?.cancel() }
        }
        var exchange = Exchange(provisional: [], final: nil)
        for await response in stream {
            channel.eventLoop.execute { retransmitter?.cancel() }
            guard let status = response.statusCode else { continue }
            if status < 200 {
                exchange.provisional.append(response)
            } else {
                exchange.final = response
                break
            }
        }
        return exchange
    }

    /// Sends a request that expects no answer (an ACK), after the rate limiter.
    public func sendOnly(_ request: SIPMessage) async {
        await limiter.wait()
        let bytes = request.serialized()
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: buffer), promise: nil)
    }

    public func close() async {
        try? await channel.close()
    }

    /// The target as a SIP URI host part.
    public var targetHostPort: String {
        let host = target.ipAddress ?? ""
        return (host.contains(":") ? "[\(host)]" : host) + ":\(target.port ?? 5060)"
    }

    /// Hands responses to the request waiting for them (by Call-ID and CSeq); drops anything else.
    private final class ProbeHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let waiting: NIOLockedValueBox<[String: AsyncStream<SIPMessage>.Continuation]>

        init(waiting: NIOLockedValueBox<[String: AsyncStream<SIPMessage>.Continuation]>) {
            self.waiting = waiting
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let message = try? SIPMessage(parsing: Array(envelope.data.readableBytesView)), message.statusCode != nil,
                  let callID = message.firstValue(of: .callID), let cseq = try? message.cseq() else { return }
            let key = "\(callID)|\(cseq.sequence)|\(cseq.method.token)"
            _ = waiting.withLockedValue { $0[key] }?.yield(message)
        }
    }
}

/// Spaces requests out: at most `perSecond` of them a second.
public actor RateLimiter {
    private let interval: Duration
    private var next = ContinuousClock.now

    public init(perSecond: Double) {
        interval = .milliseconds(Int64(1000 / max(0.1, min(perSecond, 1000))))
    }

    public func wait() async {
        let now = ContinuousClock.now
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
