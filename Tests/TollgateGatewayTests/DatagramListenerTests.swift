import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPTransport
import Testing

@Suite("UDP listener", .serialized)
struct DatagramListenerTests {
    /// Sends each payload to a UDP listener whose message limit is `limit` and returns the sizes
    /// of the datagrams it delivered.
    func deliveredSizes(of payloads: [Int], limit: Int, port: Int) async throws -> [Int] {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let sizes = NIOLockedValueBox<[Int]>([])
        let transport = SIPTransportLayer(eventLoop: loop, logger: Logger(label: "test"), maximumMessageSize: limit) { packet in
            sizes.withLockedValue { $0.append(packet.bytes.count) }
        }
        try await transport.start([SIPListenerSpec(id: 0, transport: .udp, host: "127.0.0.1", port: port)])
        let sender = try await DatagramBootstrap(group: loop).bind(host: "127.0.0.10", port: 0).get()
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        for size in payloads {
            let buffer = sender.allocator.buffer(bytes: [UInt8](repeating: UInt8(ascii: "x"), count: size))
            try await sender.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: buffer)).get()
        }
        for _ in 0..<100 where sizes.withLockedValue({ $0.count }) < payloads.count { try await Task.sleep(for: .milliseconds(20)) }
        try await sender.close()
        await transport.stop()
        return sizes.withLockedValue { $0 }
    }

    @Test("datagrams far over 2 KB arrive whole, up to the message-size limit")
    func largeDatagramsArriveWhole() async throws {
        #expect(try await deliveredSizes(of: [300, 4_400, 20_000], limit: 65_536, port: 5167) == [300, 4_400, 20_000])
    }

    @Test("a datagram over the limit still arrives over it (cut short), so the parser refuses it as too large")
    func oversizedDatagramStaysOverTheLimit() async throws {
        let sizes = try await deliveredSizes(of: [3_000, 9_000], limit: 4_000, port: 5168)
        #expect(sizes.count == 2 && sizes[0] == 3_000)
        #expect(sizes.count == 2 && sizes[1] > 4_000 && sizes[1] < 9_000, "delivered: \(sizes)")
    }
}
