import Foundation
import Testing

/// SIP over TLS: a trunk calls over TLS 1.2+ with Tollgate's own test client (Python's ssl module),
/// the PBX answers over UDP; a client offering only TLS 1.0/1.1 is refused.
@Suite("Gateway over TLS", .serialized)
struct GatewayTLSTests {
    static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/tls_call.py")

    static func certificate() throws -> (cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let generator = try PeerProcess(name: "cert", executable: Peers.tollgate, arguments: ["cert", "self-signed", "--cert", cert, "--key", key])
        #expect(generator.wait(timeout: 30) == 0, "\(generator.log)")
        let permissions = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(permissions == 0o600, "the key is readable by its owner only")
        return (cert, key)
    }

    static func gateway(cert: String, key: String) throws -> PeerProcess {
        let yaml = """
            listeners:
              - { zone: external, transport: udp, address: 127.0.0.1, port: 5178 }
              - { zone: external, transport: tls, address: 127.0.0.1, port: 5179, tls_certificate: "\(cert)", tls_key: "\(key)" }
            pbx: { endpoint: "udp:127.0.0.20:5188" }
            trunks:
              - name: carrier
                endpoint: tls:127.0.0.10:5099
                allowed_sources: [127.0.0.10/32]
                probe: { enabled: false }
            routes:
              - { prefix: "", trunks: [carrier] }
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-tls-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try PeerProcess.tollgate(["--config", file.path])
    }

    @Test("a call over TLS from a trunk reaches the PBX and completes; the certificate from `tollgate cert self-signed` verifies")
    func callOverTLS() throws {
        let (cert, key) = try Self.certificate()
        let gateway = try Self.gateway(cert: cert, key: key)
        defer { gateway.stop() }
        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: 5188, calls: 1)
        usleep(300_000)
        let caller = try PeerProcess(name: "tls-caller", executable: Peers.executable("python3"),
                                     arguments: [Self.client.path, cert, "127.0.0.1", "5179", "127.0.0.10"])
        #expect(caller.wait(timeout: 30) == 0, "caller: \(caller.log)\ngateway: \(gateway.log.suffix(2000))")
        #expect(caller.log.contains("TLSv1.2") || caller.log.contains("TLSv1.3"))
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")
    }

    @Test("a client that offers only TLS 1.0 or 1.1 is refused at the handshake")
    func oldTLSRefused() throws {
        let (cert, key) = try Self.certificate()
        let gateway = try Self.gateway(cert: cert, key: key)
        defer { gateway.stop() }
        let caller = try PeerProcess(name: "tls-old", executable: Peers.executable("python3"),
                                     arguments: [Self.client.path, cert, "127.0.0.1", "5179", "127.0.0.10", "--max-tls", "1.1"])
        #expect(caller.wait(timeout: 30) == 2, "caller: \(caller.log)")
    }
}
