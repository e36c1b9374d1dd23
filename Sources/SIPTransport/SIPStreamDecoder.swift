import Logging
import NIOCore
import SIPCore

/// Frames a TCP or TLS byte stream into SIP messages with ``SIPStreamFramer``; answers RFC 5626
/// keep-alive pings with a pong. A framing error closes the connection (it cannot be recovered).
final class SIPStreamDecoder: ByteToMessageDecoder {
    typealias InboundOut = SIPStreamFramer.Frame

    private var framer: SIPStreamFramer

    init(maximumMessageSize: Int) {
        framer = SIPStreamFramer(maximumMessageSize: maximumMessageSize)
    }

    /// Takes every byte into the framer and hands on every message it completes. The framer holds
    /// the bytes, so `ByteToMessageHandler` sees an empty buffer afterwards and would not call again:
    /// all complete messages must go now (two answers in one segment, a 100 and a 200, are common).
    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if buffer.readableBytes > 0 {
            framer.append(buffer.readableBytesView)
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        }
        while let frame = try framer.next() {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        return .needMoreData
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Delivers framed stream messages to the layer above and remembers the connection for replies.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = SIPStreamFramer.Frame
    typealias OutboundOut = ByteBuffer

    private let listener: Int
    private let transport: SIPTransportProtocol
    private let deliver: @Sendable (SIPInboundPacket) -> Void
    private let connections: SIPConnectionTable
    private let logger: Logger
    private var peer: SIPPeer?

    init(listener: Int, transport: SIPTransportProtocol, connections: SIPConnectionTable, logger: Logger,
         deliver: @escaping @Sendable (SIPInboundPacket) -> Void) {
        self.listener = listener
        self.transport = transport
        self.connections = connections
        self.logger = logger
        self.deliver = deliver
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { registerPeer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        registerPeer(context)
        context.fireChannelActive()
    }

    /// Remembers the connection under its peer's address (once), for replies and reuse.
    private func registerPeer(_ context: ChannelHandlerContext) {
        guard peer == nil, let remote = context.channel.remoteAddress else { return }
        let peer = SIPPeer(transport: transport, address: remote)
        self.peer = peer
        connections.register(context.channel, for: peer, listener: listener)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let peer { connections.unregister(context.channel, for: peer) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if peer == nil { registerPeer(context) }
        guard let peer else {
            logger.debug("message from a connection without a peer address dropped")
            return
        }
        switch unwrapInboundIn(data) {
        case .message(let bytes):
            connections.touch(peer)
            deliver(SIPInboundPacket(bytes: bytes, source: peer, listener: listener))
        case .keepAlivePing:
            var pong = context.channel.allocator.buffer(capacity: 2)
            pong.writeStaticString("\r\n")
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .keepAlivePong:
            break
        }
    }

    /// A framing error, a failed TLS handshake or a reset: the connection is closed, and said why.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.notice("connection closed on error", metadata: [
            "peer": "\(peer.map(\.description) ?? context.channel.remoteAddress?.description ?? "?")", "error": "\(error)",
        ])
        context.close(promise: nil)
    }
}
