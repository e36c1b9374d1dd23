import Foundation
import Testing

/// `tollgate audit discover` sweeping loopback ranges: the test PBX and a sipp peer answer, the
/// rest of the range does not, and what answered joins the inventory.
@Suite("tollgate audit discover", .serialized)
struct AuditDiscoverTests {
    @Test("a UDP sweep of 127.0.0.20/30 finds the PBX and the sipp peer and records them; a TCP sweep finds the TCP peer")
    func sweep() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-discover-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = directory.appendingPathComponent("tollgate.db").path
        let python = try Peers.executable("python3")
        let pbx = try PeerProcess(name: "discover-pbx", executable: python, arguments: [
            ShieldLab.scripts.appendingPathComponent("test_pbx.py").path, "--listen", "127.0.0.22:5397",
        ])
        defer { pbx.stop() }
        #expect(pbx.waitForLog("READY", timeout: 10))
        let peer = try PeerProcess.sipp("uas-options-vendor.xml", local: "127.0.0.21", port: 5397, calls: 1,
                                        extra: ["-key", "server", "Grandstream UCM6202 1.0.20.31"])
        defer { peer.stop() }
        let tcpPeer = try PeerProcess.sipp("uas-options.xml", local: "127.0.0.21", port: 5398, calls: 1, transport: "t1")
        defer { tcpPeer.stop() }
        usleep(300_000)

        let udp = try PeerProcess(name: "discover", executable: Peers.tollgate, arguments: [
            "audit", "discover", "127.0.0.20/30", "--ports", "5397", "--timeout", "1", "--rate", "50", "--source", "127.0.0.66", "--store", store,
        ])
        #expect(udp.wait(timeout: 30) == 0, "\(udp.log)")
        #expect(udp.log.contains("OPTIONS to 2 addresses"), "the /30's network and broadcast addresses are left out: \(udp.log)")
        func row(_ address: String) -> [String] {
            udp.log.split(separator: "\n").first { $0.hasPrefix(address + " ") }.map { $0.split(separator: " ").map(String.init) } ?? []
        }
        #expect(row("127.0.0.22").joined(separator: " ") == "127.0.0.22 5397 udp 200 Asterisk PBX 20.5.0 Sangoma Asterisk 20.5.0", "\(udp.log)")
        #expect(row("127.0.0.21").joined(separator: " ") == "127.0.0.21 5397 udp 200 Grandstream UCM6202 1.0.20.31 Grandstream UCM UCM6202 1.0.20.31",
                "\(udp.log)")
        #expect(udp.log.contains("2 of 2 answered; recorded in the inventory"), "\(udp.log)")

        let tcp = try PeerProcess(name: "discover-tcp", executable: Peers.tollgate, arguments: [
            "audit", "discover", "127.0.0.21", "127.0.0.23", "--ports", "5398", "--transport", "tcp", "--timeout", "1", "--store", store, "--json",
        ])
        #expect(tcp.wait(timeout: 30) == 0, "\(tcp.log)")
        #expect(tcp.log.contains("\"transport\" : \"tcp\"") && tcp.log.contains("\"address\" : \"127.0.0.21\""), "\(tcp.log)")
        #expect(!tcp.log.contains("\"address\" : \"127.0.0.23\""))

        let list = try PeerProcess(name: "inventory", executable: Peers.tollgate, arguments: ["inventory", "list", "--store", store])
        #expect(list.wait(timeout: 30) == 0)
        #expect(list.log.contains("127.0.0.22") && list.log.contains("pbx") && list.log.contains("Sangoma") && list.log.contains("20.5.0"), "\(list.log)")
        #expect(list.log.contains("127.0.0.21") && list.log.contains("UCM6202"), "\(list.log)")

        let refused = try PeerProcess(name: "discover-big", executable: Peers.tollgate, arguments: ["audit", "discover", "10.0.0.0/8", "--store", store])
        #expect(refused.wait(timeout: 30) == 2, "a range wider than /16 is refused: \(refused.log)")
    }
}
