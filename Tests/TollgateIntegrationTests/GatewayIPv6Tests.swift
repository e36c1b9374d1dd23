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

        // The carrier on ::1 calls the PBX, then the PBX calls out to it over IPv6.
        let seen = try GatewayTrunkTests.callsBothWays(carrier: "::1", carrierPort: 5192, pbxPort: 5193, inbound: "[::1]:5190",
                                                       outbound: "127.0.0.1:5191") { "gateway: \(gateway.log.suffix(2000))" }
        for seen in seen {
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

        let seen = try GatewayTrunkTests.callsBothWays(carrier: "127.0.0.10", carrierPort: 5199, pbxPort: 5196, inbound: "127.0.0.1:5198",
                                                       outbound: "127.0.0.2:5195") {
            "edge: \(edge.log.suffix(1500))\nsite: \(site.log.suffix(1500))"
        }
        for seen in seen {
            for inside in ["127.0.0.20", "127.0.0.2:", "127.0.0.2>", "127.0.0.2;", "127.0.0.3"] {
                #expect(!seen.contains(inside), "\(inside) reached the carrier:\n\(seen.prefix(3000))")
            }
        }
    }
}
