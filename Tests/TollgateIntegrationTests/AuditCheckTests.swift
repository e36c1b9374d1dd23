import Foundation
import Testing

/// `tollgate audit check` against real peers on loopback: the deliberately leaky test PBX
/// (`Scripts/test_pbx.py`: 404 for unknown users, calls from anyone answered, a reused nonce judged,
/// its version in Server), and Tollgate itself through its external listener.
@Suite("tollgate audit check against a leaky PBX and against Tollgate", .serialized)
struct AuditCheckTests {
    func run(_ arguments: [String]) throws -> PeerProcess {
        let check = try PeerProcess(name: "tollgate-audit-check", executable: Peers.tollgate, arguments: ["audit", "check"] + arguments)
        _ = check.wait(timeout: 60)
        return check
    }

    @Test("the leaky PBX: guest calls, the enumeration leak, nonce reuse, the version, a weak password, no TLS, no SRTP")
    func leakyPBX() throws {
        let python = try Peers.executable("python3")
        let pbx = try PeerProcess(name: "leaky-pbx", executable: python, arguments: [
            ShieldLab.scripts.appendingPathComponent("test_pbx.py").path, "--listen", "127.0.0.22:5390",
            "--users", "201:Long-Random-Secret-201,202:1234",
        ])
        defer { pbx.stop() }
        #expect(pbx.waitForLog("READY", timeout: 10), "\(pbx.log)")
        let check = try run(["127.0.0.22", "--port", "5390", "--source", "127.0.0.66", "--extension", "201", "--extension", "202",
                             "--authorized", "--timeout", "1", "--rate", "20", "--tls-port", "5391", "--json"])
        #expect(check.process.terminationStatus == 1, "\(check.log)")
        let text = check.log
        let json = try #require(text.firstIndex(of: "{").map { String(text[$0...]) })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        let checks = Set(findings.compactMap { $0["check"] as? String })
        for expected in ["guest-calls", "enumeration-leak", "nonce-reuse", "version-disclosed", "weak-password-accepted", "no-tls", "no-srtp"] {
            #expect(checks.contains(expected), "\(expected) missing: \(checks.sorted())")
        }
        let weak = findings.filter { ($0["check"] as? String) == "weak-password-accepted" }
        #expect(weak.count == 1 && (weak.first?["subject"] as? String)?.hasSuffix("extension 202") == true, "only 202's password is weak")
        #expect(!text.contains("1234\""), "the password found is never printed")
        #expect(text.contains("active checks against 127.0.0.22 only"), "the banner")
        let facts = report["facts"] as? [String: String] ?? [:]
        #expect(facts["server"] == "Asterisk PBX 20.5.0")
    }

    @Test("a TLS server that still takes TLS 1.0, RSA key exchange and a self-signed certificate is flagged for each")
    func weakTLS() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-weak-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = try PeerProcess(name: "weak-tls", executable: try Peers.executable("python3"), arguments: [
            ShieldLab.scripts.appendingPathComponent("weak_tls_server.py").path, "--listen", "127.0.0.24:5391", "--dir", directory.path,
        ])
        defer { server.stop() }
        #expect(server.waitForLog("READY", timeout: 20), "\(server.log)")
        let check = try run(["127.0.0.24", "--port", "5390", "--tls-port", "5391", "--source", "127.0.0.66", "--timeout", "1", "--rate", "50", "--json"])
        let text = check.log
        let json = try #require(text.firstIndex(of: "{").map { String(text[$0...]) }, "\(text)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let checks = Set(((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["check"] as? String })
        for expected in ["old-tls-versions", "weak-tls-ciphers", "tls-certificate-untrusted", "tls-certificate-expiring"] {
            #expect(checks.contains(expected), "\(expected): \(checks.sorted())")
        }
        #expect((report["facts"] as? [String: String])?["tls"]?.contains("weak.example") == true)
    }

    @Test("Tollgate checked through its own external listener passes its own audit")
    func tollgatePasses() throws {
        let gateway = try PeerProcess.tollgate(["--pbx", "udp:127.0.0.20:5393", "--listen", "udp:127.0.0.1:5392", "--trunk", "udp:127.0.0.10:5394"])
        defer { gateway.stop() }
        let check = try run(["127.0.0.1", "--port", "5392", "--source", "127.0.0.66", "--extension", "201", "--timeout", "0.5", "--rate", "20",
                             "--tls-port", "5395", "--json"])
        let text = check.log
        let json = try #require(text.firstIndex(of: "{").map { String(text[$0...]) }, "\(text)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let checks = Set(((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["check"] as? String })
        #expect(checks.isDisjoint(with: ["guest-calls", "enumeration-leak", "nonce-reuse", "version-disclosed", "weak-password-accepted"]),
                "\(checks.sorted())")
        #expect(check.process.terminationStatus == 0, "nothing high or critical: \(text)")
    }
}
