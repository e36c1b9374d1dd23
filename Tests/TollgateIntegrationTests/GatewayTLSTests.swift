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

    /// A test CA and a client certificate it signed, made with the openssl command.
    static func clientCertificate() throws -> (ca: String, cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-mtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let openssl = try Peers.executable("openssl")
        for arguments in [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"),
             "-days", "2", "-subj", "/CN=Tollgate test trunk CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("client.key"), "-out", path("client.csr"),
             "-subj", "/CN=trunk.example.net"],
            ["x509", "-req", "-in", path("client.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
             "-out", path("client.pem"), "-days", "2"],
        ] {
            let step = try PeerProcess(name: "openssl", executable: openssl, arguments: arguments)
            #expect(step.wait(timeout: 30) == 0, "\(step.log)")
        }
        return (path("ca.pem"), path("client.pem"), path("client.key"))
    }

    static func gateway(cert: String, key: String, clientCA: String? = nil) throws -> PeerProcess {
        let mutual = clientCA.map { ", tls_client_ca: \"\($0)\"" } ?? ""
        let yaml = """
            listeners:
              - { zone: external, transport: udp, address: 127.0.0.1, port: 5178 }
              - { zone: external, transport: tls, address: 127.0.0.1, port: 5179, tls_certificate: "\(cert)", tls_key: "\(key)"\(mutual) }
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

    @Test("with tls_client_ca a trunk must present a certificate: without one it cannot call, with one it can")
    func mutualTLS() throws {
        let (cert, key) = try Self.certificate()
        let (clientCA, clientCert, clientKey) = try Self.clientCertificate()
        let gateway = try Self.gateway(cert: cert, key: key, clientCA: clientCA)
        defer { gateway.stop() }
        let refused = try PeerProcess(name: "tls-nocert", executable: Peers.executable("python3"),
                                      arguments: [Self.client.path, cert, "127.0.0.1", "5179", "127.0.0.10"])
        let status = refused.wait(timeout: 30)
        #expect(status != nil && status != 0, "a trunk without a certificate must not get through: \(refused.log)")

        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: 5188, calls: 1)
        usleep(300_000)
        let caller = try PeerProcess(name: "tls-cert", executable: Peers.executable("python3"),
                                     arguments: [Self.client.path, cert, "127.0.0.1", "5179", "127.0.0.10", "--client-cert", clientCert, clientKey])
        #expect(caller.wait(timeout: 30) == 0, "caller: \(caller.log)\ngateway: \(gateway.log.suffix(2000))")
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")
    }
}
