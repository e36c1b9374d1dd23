import NIOCore

/// Receives UDP datagrams on a listener and hands each one up, on the event loop, without copying
/// more than once (ByteBuffer → the message's byte array).
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let listener: Int
    private let deliver: @Sendable (SIPInboundPacket) -> Void

    init(listener: Int, deliver: @escaping @Sendable (SIPInboundPacket) -> Void) {
        self.listener = listener
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        deliver(SIPInboundPacket(bytes: bytes, source: SIPPeer(transport: .udp, address: envelope.remoteAddress), listener: listener))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port-unreachable and similar errors surface here; the datagram socket stays usable.
    }
}
