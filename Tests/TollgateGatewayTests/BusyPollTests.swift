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

    @Test("a short sleep after an expired window makes the next one cover the gap and half again, at least 50 µs, at most the maximum")
    func grows() {
        var window = SIPBusyPollWindow(maximum: 300_000)
        #expect(window.current == 0)
        var seen: [Int64] = []
        for _ in 0..<5 {
            window.expired(thenSlept: 20_000)
            seen.append(window.current)
        }
        #expect(seen == [50_000, 105_000, 187_500, 300_000, 300_000])

        var direct = SIPBusyPollWindow(maximum: 5_000_000)
        direct.expired(thenSlept: 2_000_000)
        #expect(direct.current == 3_000_000, "one missed gap is enough to cover the next")
    }

    @Test("a sleep longer than the maximum halves the window, and a window under the start closes")
    func shrinks() {
        var window = SIPBusyPollWindow(maximum: 400_000)
        window.expired(thenSlept: 300_000)
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

        /// Sends one datagram to the bound socket from a socket of its own.
        func send(_ text: String) {
            let sender = Glibc.socket(AF_INET, CInt(SOCK_DGRAM.rawValue), 0)
            defer { close(sender) }
            let bytes = Array(text.utf8)
            _ = address.withSockAddr { pointer, length in
                sendto(sender, bytes, bytes.count, 0, pointer, socklen_t(length))
            }
        }
    }

    /// One whole window in one piece (no slices): whether work ended it.
    static func waitForWork(_ poller: SIPReceivePoller) -> Bool {
        poller.pollSlice(upTo: .hours(1)) == .work
    }

    /// A poller whose window has grown to `maximum` (every earlier window "slept" briefly).
    static func grownPoller(maximum: TimeAmount, watching descriptor: CInt) -> SIPReceivePoller {
        var window = SIPBusyPollWindow(maximum: maximum.nanoseconds)
        while window.current < maximum.nanoseconds { window.expired(thenSlept: 0) }
        let poller = SIPReceivePoller(window: window, minimumSendRate: 0)
        poller.watch(descriptor)
        return poller
    }

    @Test("a datagram already waiting ends the window at once")
    func waiting() throws {
        let pair = try Pair(port: 5171)
        defer { close(pair.socket.descriptor) }
        let poller = Self.grownPoller(maximum: .milliseconds(2), watching: pair.socket.descriptor)
        pair.send("OPTIONS")
        #expect(Self.waitForWork(poller))
    }

    @Test("a datagram arriving during the window is seen")
    func arrivesDuringWindow() throws {
        let pair = try Pair(port: 5172)
        defer { close(pair.socket.descriptor) }
        let poller = Self.grownPoller(maximum: .seconds(5), watching: pair.socket.descriptor)
        let sender = Thread { Thread.sleep(forTimeInterval: 0.05); pair.send("INVITE") }
        sender.start()
        #expect(Self.waitForWork(poller))
    }

    @Test("with nothing arriving the window runs its full length, then the loop may sleep")
    func expires() throws {
        let pair = try Pair(port: 5173)
        defer { close(pair.socket.descriptor) }
        let poller = Self.grownPoller(maximum: .milliseconds(20), watching: pair.socket.descriptor)
        let start = NIODeadline.now()
        #expect(!Self.waitForWork(poller))
        #expect(NIODeadline.now() - start >= .milliseconds(20))
    }

    @Test("an expired window followed by a short sleep grows, a long quiet spell shrinks it; polling off never watches")
    func adapts() throws {
        let pair = try Pair(port: 5174)
        defer { close(pair.socket.descriptor) }
        let growing = SIPReceivePoller(maximumWindow: .milliseconds(1))
        growing.watch(pair.socket.descriptor)
        #expect(!Self.waitForWork(growing))
        #expect(growing.window.current == 0)
        #expect(!Self.waitForWork(growing))
        #expect(growing.window.current >= SIPBusyPollWindow.growStart, "a short sleep opened the next window")

        let poller = Self.grownPoller(maximum: .microseconds(200), watching: pair.socket.descriptor)
        #expect(!Self.waitForWork(poller))
        Thread.sleep(forTimeInterval: 0.01)
        _ = Self.waitForWork(poller)
        #expect(poller.window.current == 100_000)

        let off = SIPReceivePoller(maximumWindow: .zero)
        off.watch(pair.socket.descriptor)
        pair.send("OPTIONS")
        #expect(!off.isEnabled)
        #expect(!Self.waitForWork(off))
    }

    @Test("the transport busy-polls from about 330 calls a second by default, or from the rate it is given")
    func transportMinimumRate() {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let byDefault = SIPTransportLayer(eventLoop: loop, logger: Logger(label: "test"), busyPollWindow: .milliseconds(5)) { _ in }
        #expect(byDefault.busyPollMinimumRate == 2000)
        let given = SIPTransportLayer(eventLoop: loop, logger: Logger(label: "test"), busyPollWindow: .milliseconds(5), busyPollMinimumRate: 12_000) { _ in }
        #expect(given.busyPollMinimumRate == 12_000)
    }

    @Test("no window opens while the gateway sends under the minimum rate; one does once it sends more")
    func minimumSendRate() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let pair = try Pair(port: 5179)
        defer { close(pair.socket.descriptor) }
        let descriptor = pair.socket.descriptor
        let box = try await loop.submit {
            var window = SIPBusyPollWindow(maximum: 10_000_000_000)
            while window.current < window.maximum { window.expired(thenSlept: 0) }
            let poller = SIPReceivePoller(window: window, minimumSendRate: 1000)
            poller.watch(descriptor)
            return NIOLoopBoundBox(poller, eventLoop: loop)
        }.get()
        // 10 sends in the first period: 100 a second at most.
        try await Task.sleep(for: .milliseconds(110))
        let quiet = try await loop.submit {
            for _ in 0..<10 { box.value.countSend() }
            box.value.openWindow(on: loop)
            return (box.value.isWindowOpen, box.value.sendRate)
        }.get()
        #expect(!quiet.0 && quiet.1 < 1000, "rate \(quiet.1)")

        // 500 sends in the next period: over 1000 a second.
        try await loop.submit {
            for _ in 0..<500 { box.value.countSend() }
        }.get()
        try await Task.sleep(for: .milliseconds(110))
        let opened = try await loop.submit {
            box.value.openWindow(on: loop)
            return (box.value.isWindowOpen, box.value.sendRate)
        }.get()
        #expect(opened.0 && opened.1 >= 1000, "rate \(opened.1)")
        pair.send("OPTIONS")
        try await loop.submit { box.value.forgetAll() }.get()
    }

    @Test("the loop's epoll instance is found through a socket registered on it, and not for a socket on none")
    func findsTheLoopsSelector() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let socket = try SIPDatagramSocket(binding: try SocketAddress(ipAddress: "127.0.0.1", port: 5176), listener: "udp:127.0.0.1:5176")
        let channel = try await DatagramBootstrap(group: loop).withBoundSocket(socket.descriptor).get()
        let selector = try #require(SIPEventLoopSelector.descriptor(watching: socket.descriptor))
        #expect(SIPEventLoopSelector.targets(of: selector).contains(socket.descriptor))
        try await channel.close()

        let loose = try SIPDatagramSocket(binding: try SocketAddress(ipAddress: "127.0.0.1", port: 5177), listener: "udp:127.0.0.1:5177")
        defer { close(loose.descriptor) }
        #expect(SIPEventLoopSelector.descriptor(watching: loose.descriptor) == nil)
    }

    @Test("fdinfo lines name the epoll targets; other lines are ignored")
    func parsesFdinfo() {
        let text = "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1038\n"
            + "tfd:        4 events:       19 data:                4  pos:0 ino:31aa9e sdev:f\n"
            + "tfd:       12 events: 8000001d data: 100000000000c  pos:0 ino:31aa9f sdev:9\n"
            + "tfd: x events: 1\n"
        #expect(SIPEventLoopSelector.parseTargets(Array(text.utf8)) == [4, 12])
    }

    @Test("during an open window, tasks from other threads and timers run between slices; a datagram closes it")
    func windowOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let pair = try Pair(port: 5178)
        let channel = try await DatagramBootstrap(group: loop).withBoundSocket(pair.socket.descriptor).get()
        let selector = try #require(SIPEventLoopSelector.descriptor(watching: pair.socket.descriptor))
        let box = try await loop.submit {
            NIOLoopBoundBox(Self.grownPoller(maximum: .seconds(10), watching: selector), eventLoop: loop)
        }.get()

        try await loop.submit { box.value.openWindow(on: loop) }.get()
        #expect(try await loop.submit { box.value.isWindowOpen }.get(), "a task from another thread runs inside the 10 s window")
        let timer = loop.scheduleTask(in: .milliseconds(30)) { box.value.isWindowOpen }
        #expect(try await timer.futureResult.get(), "a timer set during the window fires inside it")

        pair.send("OPTIONS")
        var open = true
        for _ in 0..<100 where open {
            try await Task.sleep(for: .milliseconds(20))
            open = try await loop.submit { box.value.isWindowOpen }.get()
        }
        #expect(!open, "the datagram closed the window long before its 10 s")

        try await loop.submit { box.value.forgetAll() }.get()
        try await channel.close()
        try await group.shutdownGracefully()
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
