import Foundation
import Logging
import NIOCore
import NIOPosix
@testable import SIPTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ReceivePollerTests.Pair {
    /// The datagrams waiting on the bound socket, read until nothing comes for 20 ms in a row once
    /// at least `expected` have come (or 5 s have passed).
    func received(expected: Int = 0) -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 70_000)
        var quiet = 0
        let deadline = Date().addingTimeInterval(5)
        while quiet < 20 || (datagrams.count < expected && Date() < deadline), datagrams.count < 1_000 {
            let count = buffer.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, CInt(MSG_DONTWAIT)) }
            if count >= 0 {
                datagrams.append(Array(buffer[0..<count]))
                quiet = 0
            } else {
                usleep(1_000)
                quiet += 1
            }
        }
        return datagrams
    }
}

@Suite("UDP sends", .serialized)
struct DatagramSendTests {
    /// A receiving socket on `port` and a sending one on `port + 1`, both closed after `body`.
    func withSockets(port: Int, _ body: (_ receiver: ReceivePollerTests.Pair, _ sender: CInt) throws -> Void) throws {
        let receiver = try ReceivePollerTests.Pair(port: port)
        defer { close(receiver.socket.descriptor) }
        let sender = try SIPDatagramSocket(binding: try SocketAddress(ipAddress: "127.0.0.10", port: port + 1), listener: "udp:127.0.0.10:\(port + 1)")
        defer { close(sender.descriptor) }
        try body(receiver, sender.descriptor)
    }

    @Test("one sendto hands the kernel the whole datagram")
    func sendsWhole() throws {
        try withSockets(port: 5181) { receiver, sender in
            let message = Array("OPTIONS sip:a@b SIP/2.0\r\n\r\n".utf8)
            #expect(SIPDatagramSocket.send(message, to: receiver.address, on: sender) == .sent)
            #expect(receiver.received() == [message])
        }
    }

    @Test("a datagram larger than UDP allows is refused with EMSGSIZE, and the socket still sends")
    func oversizedIsRefused() throws {
        try withSockets(port: 5183) { receiver, sender in
            let huge = [UInt8](repeating: UInt8(ascii: "x"), count: 70_000)
            #expect(SIPDatagramSocket.send(huge, to: receiver.address, on: sender) == .failed(EMSGSIZE))
            #expect(SIPDatagramSocket.send(Array("next".utf8), to: receiver.address, on: sender) == .sent)
            #expect(receiver.received() == [Array("next".utf8)])
        }
    }

    /// Starts a transport with a UDP listener on 127.0.0.1:`port + 1`, runs `sends` on its loop with a
    /// peer bound on `port`, and returns the datagrams the peer received and what `sends` returned.
    func sending<Result: Sendable>(port: Int, _ sends: @escaping @Sendable (SIPTransportLayer, SIPPeer) -> Result) async throws -> ([String], Result) {
        let receiver = try ReceivePollerTests.Pair(port: port)
        defer { close(receiver.socket.descriptor) }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let transport = SIPTransportLayer(eventLoop: loop, logger: Logger(label: "test")) { _ in }
        try await transport.start([SIPListenerSpec(id: 0, transport: .udp, host: "127.0.0.1", port: port + 1)])
        let peer = SIPPeer(transport: .udp, address: receiver.address)
        let result = try await loop.submit { sends(transport, peer) }.get()
        let received = receiver.received()
        await transport.stop()
        return (received.map { String(decoding: $0, as: UTF8.self) }, result)
    }

    @Test("the transport sends datagrams in order, and one it cannot send does not stop the rest")
    func transportSendsInOrder() async throws {
        let (received, _) = try await sending(port: 5185) { transport, peer in
            for index in 0..<200 {
                transport.send(Array("message \(index)".utf8), to: peer, from: 0)
                if index == 100 { transport.send([UInt8](repeating: 0x20, count: 70_000), to: peer, from: 0) }
            }
        }
        #expect(received == (0..<200).map { "message \($0)" })
    }

    @Test("a datagram the socket cannot take now (EAGAIN) goes out through the channel in its place, and the next ones go out directly again")
    func fullSocketFallsBackInOrder() async throws {
        let (received, offered) = try await sending(port: 5187) { transport, peer in
            var offered: [String] = []
            transport.sendToSocket = { bytes, address, descriptor in
                let text = String(decoding: bytes, as: UTF8.self)
                offered.append(text)
                // The socket's buffer is full for three datagrams in a row.
                if ["message 50", "message 51", "message 52"].contains(text) { return .wouldBlock }
                return SIPDatagramSocket.send(bytes, to: address, on: descriptor)
            }
            for index in 0..<100 { transport.send(Array("message \(index)".utf8), to: peer, from: 0) }
            return offered
        }
        #expect(received == (0..<100).map { "message \($0)" })
        #expect(offered == (0..<100).map { "message \($0)" }, "every datagram is first offered to the socket once the channel holds none")
    }
}
