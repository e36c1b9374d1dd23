import Foundation
import Testing

/// Topology hiding and trunk failover through a running `tollgate serve` with a configuration file.
@Suite("Gateway trunks and topology hiding with sipp peers", .serialized)
struct GatewayTrunkTests {
    static func startGateway(_ yaml: String) throws -> PeerProcess {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try PeerProcess.tollgate(["--config", file.path])
    }

    /// The messages a sipp peer received, from its -trace_msg log (what it sent is left out).
    static func received(_ log: URL) throws -> String {
        let text = try String(contentsOf: log, encoding: .utf8)
        return text.components(separatedBy: "-----------------------------------------------")
            .filter { $0.contains("message received") }
            .joined(separator: "\n")
    }

    static func messageLog() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sipp-messages-\(UUID().uuidString).log")
    }

    /// Three calls from the carrier to the PBX through the gateway, then three from the PBX out to the
    /// carrier; both must complete. Returns everything the carrier's side received, per direction.
    static func callsBothWays(carrier: String, carrierPort: Int, pbxPort: Int, inbound: String, outbound: String,
                              context: () -> String) throws -> [String] {
        let inboundLog = messageLog()
        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: pbxPort, calls: 3)
        usleep(300_000)
        let caller = try PeerProcess.sipp("uac-call.xml", local: carrier, port: carrierPort, remote: inbound, calls: 3,
                                          extra: ["-s", "201", "-trace_msg", "-message_file", inboundLog.path])
        #expect(caller.wait(timeout: 60) == 0, "carrier: \(caller.log.suffix(1500))\n\(context())")
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")

        let outboundLog = messageLog()
        let trunk = try PeerProcess.sipp("uas-call.xml", local: carrier, port: carrierPort, calls: 3,
                                         extra: ["-trace_msg", "-message_file", outboundLog.path])
        usleep(300_000)
        let pbxCaller = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.20", port: pbxPort, remote: outbound, calls: 3,
                                             extra: ["-s", "00441632960123"])
        #expect(pbxCaller.wait(timeout: 60) == 0, "pbx: \(pbxCaller.log.suffix(1500))\n\(context())")
        #expect(trunk.wait(timeout: 10) == 0, "carrier: \(trunk.log.suffix(1500))")

        return try [inboundLog, outboundLog].map { log in
            let seen = try received(log)
            #expect(seen.contains("INVITE"), "no messages captured in \(log.path)")
            return seen
        }
    }

    @Test("every byte the outside receives, in calls both ways, is free of the PBX's address and internal headers")
    func topologyHidden() throws {
        let gateway = try Self.startGateway("""
            listeners:
              - { zone: external, transport: udp, address: 127.0.0.1, port: 5176 }
            pbx: { endpoint: "udp:127.0.0.20:5186" }
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:5096
                probe: { enabled: false }
            routes:
              - { prefix: "", trunks: [carrier] }
            topology_hiding: { enabled: true, mask_sdp: true }
            """)
        defer { gateway.stop() }
        let seen = try Self.callsBothWays(carrier: "127.0.0.10", carrierPort: 5096, pbxPort: 5186, inbound: "127.0.0.1:5176",
                                          outbound: "127.0.0.1:5176") { "gateway: \(gateway.log.suffix(2000))" }
        for seen in seen {
            #expect(!seen.contains("127.0.0.20"), "the PBX's address reached the outside:\n\(seen.prefix(4000))")
            #expect(!seen.contains("X-Asterisk"), "internal headers reached the outside")
        }
    }

    @Test("a trunk that stops answering: calls fail over to the next within the same transaction, and it comes back when it answers OPTIONS")
    func failover() throws {
        // `first` is up when the gateway starts: it answers the first probe.
        let firstUp = try PeerProcess.sipp("uas-options.xml", local: "127.0.0.11", port: 5097, calls: 1)
        usleep(200_000)
        let gateway = try Self.startGateway("""
            listeners:
              - { zone: external, transport: udp, address: 127.0.0.1, port: 5177 }
            pbx: { endpoint: "udp:127.0.0.20:5187" }
            trunks:
              - name: first
                endpoint: udp:127.0.0.11:5097
                priority: 1
                probe: { interval: 1, timeout: 0.5, failures: 1 }
              - name: second
                endpoint: udp:127.0.0.12:5097
                priority: 2
                probe: { enabled: false }
            routes:
              - { prefix: "", trunks: [first, second] }
            """)
        defer { gateway.stop() }
        #expect(firstUp.wait(timeout: 10) == 0, "first answered the first probe: \(firstUp.log.suffix(1500))")

        // `first` stops answering: the first call fails over to `second` within its transaction, a probe
        // marks `first` down, and the remaining calls go straight to `second`.
        let second = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.12", port: 5097, calls: 4)
        usleep(300_000)
        let pbx = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.20", port: 5187, remote: "127.0.0.1:5177", calls: 4, rate: 1,
                                       extra: ["-s", "00441632960123"])
        #expect(pbx.wait(timeout: 60) == 0, "pbx: \(pbx.log.suffix(1500))\ngateway: \(gateway.log.suffix(3000))")
        #expect(second.wait(timeout: 10) == 0, "second: \(second.log.suffix(1500))")
        #expect(gateway.log.contains("failover"), "gateway: \(gateway.log.suffix(3000))")
        #expect(gateway.log.contains("trunk-down"), "gateway: \(gateway.log.suffix(3000))")

        // `first` answers OPTIONS again and is marked up.
        // (It may first catch the retransmission of a probe that already gave up; the next probe counts.)
        let first = try PeerProcess.sipp("uas-options.xml", local: "127.0.0.11", port: 5097, calls: 5)
        defer { first.stop() }
        #expect(gateway.waitForLog("first answers OPTIONS again", timeout: 5), "gateway: \(gateway.log.suffix(3000))")
    }

    @Test("a re-INVITE from the PBX inside a trunk's call routes back to the trunk, hidden like the rest")
    func reinviteFromPBX() throws {
        let gateway = try Self.startGateway("""
            listeners:
              - { zone: external, transport: udp, address: 127.0.0.1, port: 5178 }
            pbx: { endpoint: "udp:127.0.0.20:5188" }
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:5098
                probe: { enabled: false }
            routes:
              - { prefix: "", trunks: [carrier] }
            topology_hiding: { enabled: true, mask_sdp: true }
            """)
        defer { gateway.stop() }
        let log = Self.messageLog()
        let pbx = try PeerProcess.sipp("uas-reinvite.xml", local: "127.0.0.20", port: 5188, calls: 3)
        usleep(300_000)
        let caller = try PeerProcess.sipp("uac-reinvited.xml", local: "127.0.0.10", port: 5098, remote: "127.0.0.1:5178", calls: 3,
                                          extra: ["-s", "201", "-trace_msg", "-message_file", log.path])
        #expect(caller.wait(timeout: 60) == 0, "trunk: \(caller.log.suffix(1500))\ngateway: \(gateway.log.suffix(2000))")
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")
        let seen = try Self.received(log)
        #expect(seen.contains("a=sendonly"), "the re-INVITE reached the trunk")
        #expect(!seen.contains("127.0.0.20"), "the PBX's address reached the outside:\n\(seen.prefix(4000))")
        #expect(!seen.contains("X-Asterisk"), "internal headers reached the outside")
        // Media is anchored: the hold re-INVITE names the same Tollgate port as the call's 200 did
        // (three calls, three ports), and every SDP the trunk sees names Tollgate.
        let ports = Set(seen.matches(of: /m=audio (\d+)/).map { String($0.output.1) })
        #expect(ports.count == 3, "one anchored port per call, kept by the re-INVITE: \(ports)")
        let connections = Set(seen.matches(of: /c=IN IP4 (\S+)/).map { String($0.output.1) })
        #expect(connections == ["127.0.0.1"], "\(connections)")
    }
}
