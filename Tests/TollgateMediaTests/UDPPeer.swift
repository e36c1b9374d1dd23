import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A UDP endpoint on a loopback address for relay tests: sends datagrams and keeps what it receives.
final class UDPPeer: Sendable {
    let channel: Channel
    private let received = NIOLockedValueBox<[AddressedEnvelope<ByteBuffer>]>([])

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let received: NIOLockedValueBox<[AddressedEnvelope<ByteBuffer>]>
        init(_ received: NIOLockedValueBox<[AddressedEnvelope<ByteBuffer>]>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            received.withLockedValue { $0.append(envelope) }
        }
    }

    init(host: String, port: Int = 0, group: EventLoopGroup) async throws {
        let received = self.received
        channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received)) }
            }
            .bind(host: host, port: port).get()
    }

    var address: SocketAddress { channel.localAddress! }

    func send(_ bytes: [UInt8], to host: String, port: UInt16) async throws {
        let destination = try SocketAddress(ipAddress: host, port: Int(port))
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: bytes))).get()
    }

    /// What arrived so far, as bytes with their source.
    var packets: [(source: SocketAddress, bytes: [UInt8])] {
        received.withLockedValue { $0.map { ($0.remoteAddress, Array($0.data.readableBytesView)) } }
    }

    /// Waits until `count` packets arrived (or two seconds passed).
    func waitFor(_ count: Int) async throws -> [(source: SocketAddress, bytes: [UInt8])] {
        for _ in 0..<200 where packets.count < count { try await Task.sleep(for: .milliseconds(10)) }
        return packets
    }

    func close() async throws { try await channel.close().get() }
}
