import NIOCore

/// Receives UDP datagrams on a listener and hands them up, on the event loop, without copying
/// more than once (ByteBuffer → the message's byte array).
///
/// The datagrams of one read (up to the channel's messages per read) are handed up together when
/// the read completes, answers and requests within a dialog first (see ``SIPDatagramOrder``).
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let listener: Int
    private let deliver: @Sendable (SIPInboundPacket) -> Void
    /// The datagrams of the read in progress, with their rank.
    private var read: [(rank: Int, packet: SIPInboundPacket)] = []
    /// The last read's array, kept for its capacity (swapped with `read` to hand a read up).
    private var spare: [(rank: Int, packet: SIPInboundPacket)] = []
    private var handingUp = false

    init(listener: Int, deliver: @escaping @Sendable (SIPInboundPacket) -> Void) {
        self.listener = listener
        self.deliver = deliver
        read.reserveCapacity(16)
        spare.reserveCapacity(16)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        read.append((SIPDatagramOrder.rank(bytes), SIPInboundPacket(bytes: bytes, source: SIPPeer(transport: .udp, address: envelope.remoteAddress),
                                                                     listener: listener)))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        handUp()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port-unreachable and similar errors surface here; the datagram socket stays usable.
        handUp()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handUp()
    }

    /// Hands up the datagrams read so far, by rank and in arrival order within a rank.
    private func handUp() {
        guard !handingUp else { return }
        handingUp = true
        defer { handingUp = false }
        // Anything read while a batch is handed up goes to `read`, and is handed up next.
        while !read.isEmpty {
            swap(&read, &spare)
            for rank in SIPDatagramOrder.ranks {
                for entry in spare where entry.rank == rank { deliver(entry.packet) }
            }
            spare.removeAll(keepingCapacity: true)
        }
    }
}
