import NIOCore

/// The handler on one anchored port: hands each datagram to its call's relay and, once the burst of
/// reads is over, lets the relay send what it queued. Confined to the call's event loop.
final class MediaPortHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let call: MediaRelayCall
    private let side: MediaSide
    private let stream: Int
    private let rtcp: Bool

    init(call: MediaRelayCall, side: MediaSide, stream: Int, rtcp: Bool) {
        self.call = call
        self.side = side
        self.stream = stream
        self.rtcp = rtcp
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        call.received(unwrapInboundIn(data), side: side, stream: stream, rtcpPort: rtcp, now: .now())
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        call.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // An ICMP "port unreachable" for a peer that went away surfaces here; the port stays open.
    }
}
