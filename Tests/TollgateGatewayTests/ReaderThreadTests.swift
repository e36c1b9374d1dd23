import Foundation
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
@testable import SIPTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("UDP sockets read on a loop of their own", .serialized)
struct ReaderThreadTests {
    /// Two loops of their own: the SIP loop and the reader.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    static var loops: (sip: EventLoop, reader: EventLoop) {
        let all = Array(group.makeIterator())
        return (all[0], all[1])
    }

    @Test("a datagram is delivered on the reader loop, the work handed over runs on the SIP loop, and the answer goes out from it")
    func deliversOnReaderAndAnswersFromLoop() async throws {
        let (sip, reader) = Self.loops
        let peer = try ReceivePollerTests.Pair(port: 5191)
        defer { close(peer.socket.descriptor) }
        let seen = NIOLockedValueBox<[(text: String, onReader: Bool, handedOverOnLoop: Bool)]>([])
        let transportBox = NIOLockedValueBox<SIPTransportLayer?>(nil)
        let transport = SIPTransportLayer(eventLoop: sip, datagramLoop: reader, logger: Logger(label: "test")) { packet in
            let onReader = reader.inEventLoop
            let text = String(decoding: packet.bytes, as: UTF8.self)
            transportBox.withLockedValue { $0 }?.handOver {
                seen.withLockedValue { $0.append((text, onReader, sip.inEventLoop)) }
                transportBox.withLockedValue { $0 }?.send(Array("answer to \(text)".utf8), to: packet.source, from: 0)
            }
        }
        transportBox.withLockedValue { $0 = transport }
        try await transport.start([SIPListenerSpec(id: 0, transport: .udp, host: "127.0.0.1", port: 5192)])
        // The peer's socket sends to the transport's listener, so answers come back to it.
        for index in 0..<20 {
            let bytes = Array("request \(index)".utf8)
            _ = try SocketAddress(ipAddress: "127.0.0.1", port: 5192).withSockAddr { pointer, length in
                sendto(peer.socket.descriptor, bytes, bytes.count, 0, pointer, socklen_t(length))
            }
        }
        let answers = peer.received(expected: 20).map { String(decoding: $0, as: UTF8.self) }
        await transport.stop()
        let deliveries = seen.withLockedValue { $0 }
        #expect(deliveries.map(\.text) == (0..<20).map { "request \($0)" })
        #expect(deliveries.allSatisfy { $0.onReader && $0.handedOverOnLoop })
        #expect(answers == (0..<20).map { "answer to request \($0)" })
    }

    @Test("with the channel on the reader loop, a datagram the socket cannot take goes through it and none overtakes another")
    func fullSocketKeepsOrderAcrossLoops() async throws {
        let (sip, reader) = Self.loops
        let receiver = try ReceivePollerTests.Pair(port: 5193)
        defer { close(receiver.socket.descriptor) }
        let transport = SIPTransportLayer(eventLoop: sip, datagramLoop: reader, logger: Logger(label: "test")) { _ in }
        try await transport.start([SIPListenerSpec(id: 0, transport: .udp, host: "127.0.0.1", port: 5194)])
        let peer = SIPPeer(transport: .udp, address: receiver.address)
        let offered = try await sip.submit {
            var offered: [String] = []
            transport.sendToSocket = { bytes, address, descriptor in
                let text = String(decoding: bytes, as: UTF8.self)
                offered.append(text)
                // The socket's buffer is full twice, for a few datagrams each time.
                if ["message 50", "message 51", "message 52", "message 300"].contains(text) { return .wouldBlock }
                return SIPDatagramSocket.send(bytes, to: address, on: descriptor)
            }
            for index in 0..<400 { transport.send(Array("message \(index)".utf8), to: peer, from: 0) }
            return offered
        }.get()
        let received = receiver.received(expected: 400).map { String(decoding: $0, as: UTF8.self) }
        await transport.stop()
        #expect(received == (0..<400).map { "message \($0)" })
        #expect(offered.prefix(51) == ArraySlice((0...50).map { "message \($0)" }), "directly until the socket is full")
    }

    @Test("past the most hand-overs that may wait, the rest are dropped and counted, and the loop runs only those it took")
    func handOversAreBounded() async throws {
        let (sip, reader) = Self.loops
        let metrics = TestMetrics()
        let transport = SIPTransportLayer(eventLoop: sip, datagramLoop: reader, maximumHandoffs: 8, logger: Logger(label: "test"),
                                          metrics: metrics) { _ in }
        // The SIP loop is held busy while the reader hands over twelve pieces of work.
        let release = NIOLockedValueBox(false)
        sip.execute { while !release.withLockedValue({ $0 }) { usleep(1_000) } }
        let ran = NIOLockedValueBox(0)
        let accepted = try await reader.submit {
            (0..<12).map { _ in transport.handOver { ran.withLockedValue { $0 += 1 } } }
        }.get()
        release.withLockedValue { $0 = true }
        try await sip.submit {}.get()
        #expect(accepted == Array(repeating: true, count: 8) + Array(repeating: false, count: 4))
        #expect(ran.withLockedValue { $0 } == 8)
        #expect(try metrics.expectCounter("tollgate_transport_handoff_drops_total").totalValue == 4)
        // Once the loop has caught up, hand-overs are taken again.
        #expect(transport.handOver {})
        #expect(try metrics.expectCounter("tollgate_transport_handoff_drops_total").totalValue == 4)
    }

    @Test("a busy-polling loop whose sockets are read elsewhere ends its window as soon as work is handed over, and not before")
    func pollerWatchesHandOvers() throws {
        var window = SIPBusyPollWindow(maximum: TimeAmount.seconds(5).nanoseconds)
        while window.current < window.maximum { window.expired(thenSlept: 0) }
        let poller = SIPReceivePoller(window: window, minimumSendRate: 0)
        #expect(!poller.isEnabled, "nothing to watch")
        let handoffs = SIPHandoffCount()
        poller.pending = handoffs
        #expect(poller.isEnabled)
        #expect(poller.pollSlice(upTo: .milliseconds(5)) == .sliceOver, "nothing handed over")

        let start = NIODeadline.now()
        let sender = Thread { Thread.sleep(forTimeInterval: 0.05); handoffs.handedOver() }
        sender.start()
        #expect(ReceivePollerTests.waitForWork(poller))
        #expect(NIODeadline.now() - start < .seconds(4))
        handoffs.takenUp()
        #expect(!handoffs.isWaiting)
        poller.forgetAll()
        #expect(!poller.isEnabled)
    }
}
