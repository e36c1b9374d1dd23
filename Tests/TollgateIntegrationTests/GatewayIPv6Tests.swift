import Foundation
import Testing

/// An IPv6 outside and an IPv4 inside: a carrier on ::1 calls the PBX on 127.0.0.20 through
/// Tollgate, and the PBX calls out to it.
@Suite("Gateway over IPv6", .serialized)
struct GatewayIPv6Tests {
    @Test("calls cross from an IPv6 trunk to an IPv4 PBX and back, and the outside never sees the PBX's address")
    func ipv6Trunk() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-v6-\(UUID().uuidString).yaml")
        try """
            listeners:
              - { name: outside-v6, zone: external, listen: "udp:[::1]:5190" }
              - { name: inside, zone: internal, listen: "udp:127.0.0.1:5191" }
            pbx: { endpoint: "udp:127.0.0.20:5193" }
            trunks:
              - name: v6carrier
                endpoint: "udp:[::1]:5192"
                allowed_sources: ["::1/128"]
                probe: { enabled: false }
            routes:
              - { prefix: "", trunks: [v6carrier] }
            topology_hiding: { enabled: true, mask_sdp: true }
            """.write(to: file, atomically: true, encoding: .utf8)
        let gateway = try PeerProcess.tollgate(["--config", file.path])
        defer { gateway.stop() }

        // Inbound: the carrier on ::1 calls the PBX.
        let inboundLog = GatewayTrunkTests.messageLog()
        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: 5193, calls: 3)
        usleep(300_000)
        let carrier = try PeerProcess.sipp("uac-call.xml", local: "::1", port: 5192, remote: "[::1]:5190", calls: 3,
                                           extra: ["-s", "201", "-trace_msg", "-message_file", inboundLog.path])
        #expect(carrier.wait(timeout: 60) == 0, "carrier: \(carrier.log.suffix(1500))\ngateway: \(gateway.log.suffix(2000))")
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")

        // Outbound: the PBX calls out to the carrier over IPv6.
        let outboundLog = GatewayTrunkTests.messageLog()
        let trunk = try PeerProcess.sipp("uas-call.xml", local: "::1", port: 5192, calls: 3,
                                         extra: ["-trace_msg", "-message_file", outboundLog.path])
        usleep(300_000)
        let caller = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.20", port: 5193, remote: "127.0.0.1:5191", calls: 3,
                                          extra: ["-s", "00441632960123"])
        #expect(caller.wait(timeout: 60) == 0, "pbx: \(caller.log.suffix(1500))\ngateway: \(gateway.log.suffix(2000))")
        #expect(trunk.wait(timeout: 10) == 0, "carrier: \(trunk.log.suffix(1500))")

        for log in [inboundLog, outboundLog] {
            let seen = try GatewayTrunkTests.received(log)
            #expect(seen.contains("INVITE"), "no messages captured in \(log.path)")
            #expect(!seen.contains("127.0.0.20"), "the PBX's address reached the outside:\n\(seen.prefix(3000))")
            #expect(!seen.contains("127.0.0.1:5191"), "the inside listener reached the outside")
        }
    }
}

/// Two gateways in a row (an edge Tollgate in front of a site Tollgate in front of the PBX): calls
/// both ways, and the carrier sees neither the PBX nor the inner gateway.
@Suite("Gateway twice in a path", .serialized)
struct GatewayTwiceInPathTests {
    static func start(_ yaml: String) throws -> PeerProcess {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-chain-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try PeerProcess.tollgate(["--config", file.path])
    }

    @Test("through two Tollgates, calls complete both ways and the outside sees only the edge")
    func chained() throws {
        // The site gateway: the PBX behind it, the edge gateway as its only trunk.
        let site = try Self.start("""
            listeners:
              - { zone: external, listen: "udp:127.0.0.2:5195" }
            pbx: { endpoint: "udp:127.0.0.20:5196" }
            trunks:
              - { name: edge, endpoint: "udp:127.0.0.3:5197", allowed_sources: [127.0.0.3/32], probe: { enabled: false } }
            routes:
              - { prefix: "", trunks: [edge] }
            topology_hiding: { enabled: true, mask_sdp: true }
            """)
        defer { site.stop() }
        // The edge gateway: the site gateway is its "PBX", the carrier its trunk.
        let edge = try Self.start("""
            listeners:
              - { zone: external, listen: "udp:127.0.0.1:5198" }
              - { zone: internal, listen: "udp:127.0.0.3:5197" }
            pbx: { endpoint: "udp:127.0.0.2:5195" }
            trunks:
              - { name: carrier, endpoint: "udp:127.0.0.10:5199", probe: { enabled: false } }
            routes:
              - { prefix: "", trunks: [carrier] }
            topology_hiding: { enabled: true, mask_sdp: true }
            """)
        defer { edge.stop() }

        let inboundLog = GatewayTrunkTests.messageLog()
        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: 5196, calls: 3)
        usleep(300_000)
        let carrier = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.10", port: 5199, remote: "127.0.0.1:5198", calls: 3,
                                           extra: ["-s", "201", "-trace_msg", "-message_file", inboundLog.path])
        #expect(carrier.wait(timeout: 60) == 0, "carrier: \(carrier.log.suffix(1500))\nedge: \(edge.log.suffix(1500))\nsite: \(site.log.suffix(1500))")
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")

        let outboundLog = GatewayTrunkTests.messageLog()
        let trunk = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.10", port: 5199, calls: 3,
                                         extra: ["-trace_msg", "-message_file", outboundLog.path])
        usleep(300_000)
        let caller = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.20", port: 5196, remote: "127.0.0.2:5195", calls: 3,
                                          extra: ["-s", "00441632960123"])
        #expect(caller.wait(timeout: 60) == 0, "pbx: \(caller.log.suffix(1500))\nedge: \(edge.log.suffix(1500))\nsite: \(site.log.suffix(1500))")
        #expect(trunk.wait(timeout: 10) == 0, "carrier: \(trunk.log.suffix(1500))")

        for log in [inboundLog, outboundLog] {
            let seen = try GatewayTrunkTests.received(log)
            #expect(seen.contains("INVITE"), "no messages captured in \(log.path)")
            for inside in ["127.0.0.20", "127.0.0.2:", "127.0.0.2>", "127.0.0.2;", "127.0.0.3"] {
                #expect(!seen.contains(inside), "\(inside) reached the carrier:\n\(seen.prefix(3000))")
            }
        }
    }
}
