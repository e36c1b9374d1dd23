import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import SIPCore
import SIPTransport
import Testing
import TollgateConfig
import TollgateShield

@testable import TollgateGateway

#if canImport(Glibc)
import Glibc
#endif

/// The whole gateway, as `tollgate serve` builds it, with its UDP sockets read on the SIP loop or
/// on a thread of their own.
@Suite("Gateway: the reader thread setting", .serialized)
struct GatewayReaderThreadTests {
    /// A UDP socket of the test's on a loopback address, with a blocking read that gives up.
    struct Peer {
        let socket: SIPDatagramSocket
        let address: SocketAddress

        init(_ host: String, port: Int) throws {
            address = try SocketAddress(ipAddress: host, port: port)
            socket = try SIPDatagramSocket(binding: address, listener: "udp:\(host):\(port)")
        }

        func send(_ text: String, to destination: SocketAddress) {
            let bytes = Array(text.utf8)
            _ = destination.withSockAddr { pointer, length in
                sendto(socket.descriptor, bytes, bytes.count, 0, pointer, socklen_t(length))
            }
        }

        /// The next message that arrives within `seconds`.
        func receive(within seconds: Double = 5) -> SIPMessage? {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let count = buffer.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, CInt(MSG_DONTWAIT)) }
                if count > 0 { return try? SIPMessage(parsing: Array(buffer[0..<count])) }
                usleep(2_000)
            }
            return nil
        }
    }

    @Test("on and off, a trunk's INVITE gets its 100 and reaches the PBX, a denied source's gets nothing; the start-up log says where the UDP sockets are read",
          arguments: [("on", "own-thread"), ("off", "sip-loop")])
    func invitesRelayed(setting: String, reader: String) async throws {
        let base = setting == "on" ? 5611 : 5621
        let trunk = try Peer("127.0.0.10", port: base + 1)
        let pbx = try Peer("127.0.0.20", port: base + 2)
        let attacker = try Peer("127.0.0.66", port: base + 3)
        defer {
            close(trunk.socket.descriptor)
            close(pbx.socket.descriptor)
            close(attacker.socket.descriptor)
        }
        let config = try GatewayTestConfig.make(port: base, trunk: "udp:127.0.0.10:\(base + 1)",
                                                extra: "performance:\n  reader_thread: \(setting)\nshield:\n  deny: [127.0.0.66]\n")
        let lines = NIOLockedValueBox<[String]>([])
        let logger = CapturingLogHandler.logger(lines)
        let gateway = Gateway(config: config, logger: logger, shutdownGrace: .milliseconds(100),
                              shieldRules: ShieldRules(config: config, fingerprints: try ScannerFingerprints.shipped()))
        let group = ServiceGroup(services: try await gateway.services(), logger: logger)
        let running = Task { try await group.run() }
        defer { running.cancel() }
        for _ in 0..<500 where !lines.withLockedValue({ $0.contains { $0.contains("gateway started") } }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let started = lines.withLockedValue { $0.first { $0.contains("gateway started") } }
        #expect(started?.contains("udp_reader=\(reader)") == true, "\(started ?? "not started")")

        let listener = try SocketAddress(ipAddress: "127.0.0.1", port: base)
        // Denied: dropped before parsing (by the reader, when there is one), so nobody hears of it.
        attacker.send(ProxyHarness.invite(from: SIPPeer(transport: .udp, address: attacker.address), callID: "denied-1"), to: listener)
        trunk.send(ProxyHarness.invite(from: SIPPeer(transport: .udp, address: trunk.address)), to: listener)
        let trying = try #require(trunk.receive())
        #expect(trying.statusCode == 100)
        let relayed = try #require(pbx.receive())
        #expect(relayed.method == .invite)
        #expect(try relayed.callID() == "call-1", "the denied source's INVITE, sent first, never reached the PBX")
        #expect(attacker.receive(within: 0.3) == nil)
        while let later = pbx.receive(within: 0.3) {
            #expect((try? later.callID()) != "denied-1", "\(later.method.map { "\($0)" } ?? "answer") from the denied source reached the PBX")
        }

        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }
}
