import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
@testable import SIPTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Busy-poll window")
struct BusyPollWindowTests {
    @Test("a zero or negative maximum turns polling off and the window never opens")
    func off() {
        for maximum: Int64 in [0, -5] {
            var window = SIPBusyPollWindow(maximum: maximum)
            #expect(!window.isEnabled)
            window.expired(thenSlept: 10)
            #expect(window.current == 0)
        }
    }

    @Test("a short sleep after an expired window opens the next one, doubling up to the maximum")
    func grows() {
        var window = SIPBusyPollWindow(maximum: 300_000)
        #expect(window.current == 0)
        var seen: [Int64] = []
        for _ in 0..<5 {
            window.expired(thenSlept: 20_000)
            seen.append(window.current)
        }
        #expect(seen == [50_000, 100_000, 200_000, 300_000, 300_000])
    }

    @Test("a sleep longer than the maximum halves the window, and a window under the start closes")
    func shrinks() {
        var window = SIPBusyPollWindow(maximum: 400_000)
        for _ in 0..<4 { window.expired(thenSlept: 1) }
        #expect(window.current == 400_000)
        var seen: [Int64] = []
        for _ in 0..<4 {
            window.expired(thenSlept: 400_001)
            seen.append(window.current)
        }
        #expect(seen == [200_000, 100_000, 50_000, 0])
    }
}

@Suite("Busy polling of UDP sockets", .serialized)
struct ReceivePollerTests {
    /// A bound socket on 127.0.0.1 and a sender for it.
    struct Pair {
        let socket: SIPDatagramSocket
        let address: SocketAddress

        init(port: Int) throws {
            address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            socket = try SIPDatagramSocket(binding: address, listener: "udp:127.0.0.1:\(port)")
        }

        func send(_ text: String) {
            let sender = socket_(address)
            defer { close(sender) }
            let bytes = Array(text.utf8)
            _ = address.withSockAddr { pointer, length in
                sendto(sender, bytes, bytes.count, 0, pointer, socklen_t(length))
            }
        }

        private func socket_(_ address: SocketAddress) -> CInt {
            Glibc.socket(AF_INET, CInt(SOCK_DGRAM.rawValue), 0)
        }
    }

    /// A poller whose window has grown to `maximum` (every earlier window "slept" briefly).
    func grownPoller(maximum: TimeAmount, watching descriptor: CInt) -> SIPReceivePoller {
        let poller = SIPReceivePoller(maximumWindow: maximum)
        poller.watch(descriptor)
        while poller.window.current < maximum.nanoseconds { poller.waitForDatagram() }
        return poller
    }

    @Test("a datagram already waiting ends the window at once")
    func waiting() throws {
        let pair = try Pair(port: 5171)
        defer { close(pair.socket.descriptor) }
        let poller = grownPoller(maximum: .milliseconds(2), watching: pair.socket.descriptor)
        pair.send("OPTIONS")
        #expect(poller.waitForDatagram())
    }

    @Test("a datagram arriving during the window is seen")
    func arrivesDuringWindow() throws {
        let pair = try Pair(port: 5172)
        defer { close(pair.socket.descriptor) }
        let poller = grownPoller(maximum: .seconds(5), watching: pair.socket.descriptor)
        let sender = Thread { Thread.sleep(forTimeInterval: 0.05); pair.send("INVITE") }
        sender.start()
        #expect(poller.waitForDatagram())
    }

    @Test("with nothing arriving the window runs its full length, then the loop may sleep")
    func expires() throws {
        let pair = try Pair(port: 5173)
        defer { close(pair.socket.descriptor) }
        let poller = grownPoller(maximum: .milliseconds(20), watching: pair.socket.descriptor)
        let start = NIODeadline.now()
        #expect(!poller.waitForDatagram())
        #expect(NIODeadline.now() - start >= .milliseconds(20))
    }

    @Test("a long quiet spell shrinks the window; polling off never watches")
    func adapts() throws {
        let pair = try Pair(port: 5174)
        defer { close(pair.socket.descriptor) }
        let poller = grownPoller(maximum: .microseconds(200), watching: pair.socket.descriptor)
        #expect(!poller.waitForDatagram())
        Thread.sleep(forTimeInterval: 0.01)
        poller.waitForDatagram()
        #expect(poller.window.current == 100_000)

        let off = SIPReceivePoller(maximumWindow: .zero)
        off.watch(pair.socket.descriptor)
        pair.send("OPTIONS")
        #expect(!off.isEnabled)
        #expect(!off.waitForDatagram())
    }

    @Test("binding an address this host does not have fails with the listener and the system's reason")
    func bindFailure() throws {
        let address = try SocketAddress(ipAddress: "192.0.2.1", port: 5060)
        #expect {
            _ = try SIPDatagramSocket(binding: address, listener: "udp:192.0.2.1:5060")
        } throws: { error in
            "\(error)" == "cannot listen on udp:192.0.2.1:5060: bind: Cannot assign requested address"
        }
    }

    @Test("every request is answered through a transport that busy-polls, on IPv4 and IPv6")
    func echoWithBusyPolling() async throws {
        for host in ["127.0.0.1", "::1"] {
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let box = NIOLockedValueBox<SIPTransportLayer?>(nil)
            let transport = SIPTransportLayer(eventLoop: loop, logger: Logger(label: "test"), busyPollWindow: .milliseconds(2)) { packet in
                box.withLockedValue { $0 }?.send(packet.bytes, to: packet.source, from: packet.listener)
            }
            box.withLockedValue { $0 = transport }
            try await transport.start([SIPListenerSpec(id: 0, transport: .udp, host: host, port: 5175)])
            let received = NIOLockedValueBox<[String]>([])
            let client = try await DatagramBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                    }
                }
                .bind(host: host, port: 0).get()
            let target = try SocketAddress(ipAddress: host, port: 5175)
            for index in 0..<200 {
                let buffer = client.allocator.buffer(string: "OPTIONS \(index)")
                try await client.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: buffer)).get()
            }
            for _ in 0..<100 where received.withLockedValue({ $0.count }) < 200 { try await Task.sleep(for: .milliseconds(20)) }
            try await client.close()
            await transport.stop()
            box.withLockedValue { $0 = nil }
            #expect(Set(received.withLockedValue { $0 }) == Set((0..<200).map { "OPTIONS \($0)" }), "over \(host)")
        }
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let received: NIOLockedValueBox<[String]>
        init(received: NIOLockedValueBox<[String]>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data).data)
            received.withLockedValue { $0.append(text) }
        }
    }
}
