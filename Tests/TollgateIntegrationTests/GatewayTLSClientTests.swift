import Foundation
import Testing

/// Tollgate as a TLS client: a carrier that requires a client certificate, with its own
/// certificate from a private CA that Tollgate is told to trust.
@Suite("Gateway as a TLS client with a certificate", .serialized)
struct GatewayTLSClientTests {
    static let trunk = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/tls_trunk.py")

    static func gateway(port: Int, trunkPort: Int, pbxPort: Int, client: (ca: String, cert: String, key: String), trustCA: Bool) throws -> PeerProcess {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-tlsclient-\(UUID().uuidString).yaml")
        try """
            listeners:
              - { zone: external, listen: "udp:127.0.0.1:\(port)" }
            pbx: { endpoint: "udp:127.0.0.20:\(pbxPort)" }
            trunks:
              - name: secure
                endpoint: "tls:127.0.0.13:\(trunkPort)"
                probe: { enabled: false }
                tls_certificate: "\(client.cert)"
                tls_key: "\(client.key)"
            \(trustCA ? "    tls_ca: \"\(client.ca)\"" : "")
            routes:
              - { prefix: "", trunks: [secure] }
            """.write(to: file, atomically: true, encoding: .utf8)
        return try PeerProcess.tollgate(["--config", file.path])
    }

    @Test("calls reach a TLS trunk that demands a client certificate, whose own certificate Tollgate checks against tls_ca; without tls_ca no connection is made")
    func clientCertificate() throws {
        // One test CA signs both sides' certificates: the carrier's, which Tollgate must trust through
        // tls_ca, and Tollgate's own, which the carrier demands.
        let client = try GatewayTLSTests.clientCertificate()
        let carrier = try PeerProcess(name: "tls-trunk", executable: Peers.executable("python3"), arguments: [
            Self.trunk.path, "--listen", "127.0.0.13:5250", "--cert", client.cert, "--key", client.key, "--client-ca", client.ca,
        ])
        defer { carrier.stop() }
        #expect(carrier.waitForLog("READY", timeout: 10), "\(carrier.log)")

        // Trusted through tls_ca: the handshake succeeds with Tollgate's certificate (TLS 1.3, session
        // tickets and all), and three calls go through over one connection.
        let gateway = try Self.gateway(port: 5251, trunkPort: 5250, pbxPort: 5252, client: client, trustCA: true)
        let pbx = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.20", port: 5252, remote: "127.0.0.1:5251", calls: 3, rate: 2,
                                       extra: ["-s", "00441632960123"])
        #expect(pbx.wait(timeout: 60) == 0, "pbx: \(pbx.log.suffix(1500))\ncarrier: \(carrier.log)\ngateway: \(gateway.log.suffix(1500))")
        #expect(carrier.log.contains("CLIENT CERT CN=trunk.example.net"), "\(carrier.log)")
        #expect(carrier.log.components(separatedBy: "RECV BYE").count - 1 == 3)
        gateway.stop()

        // Without tls_ca the carrier's certificate is not trusted and no TLS connection is made.
        let untrusting = try Self.gateway(port: 5253, trunkPort: 5250, pbxPort: 5254, client: client, trustCA: false)
        defer { untrusting.stop() }
        let invites = carrier.log.components(separatedBy: "RECV INVITE").count
        let refused = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.20", port: 5254, remote: "127.0.0.1:5253", calls: 1,
                                           extra: ["-s", "00441632960123", "-timeout", "4"])
        refused.wait(timeout: 15)
        #expect(carrier.log.components(separatedBy: "RECV INVITE").count == invites, "no INVITE over an untrusted connection")
        #expect(untrusting.log.contains("connection closed on error") || carrier.log.contains("HANDSHAKE REFUSED"),
                "gateway: \(untrusting.log.suffix(1500))\ncarrier: \(carrier.log)")
    }
}
