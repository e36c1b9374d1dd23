import Foundation
import Testing

@Suite("tollgate audit config")
struct AuditCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TollgateAuditTests/Fixtures")

    @Test("the weak tree: findings worst first with file, line, why and fix; exit 1")
    func weak() throws {
        let output = try TollgateBinary.run(["audit", "config", Self.fixtures.appendingPathComponent("weak").path])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("[critical] "), "\(output.stdout.prefix(300))")
        #expect(output.stdout.contains("asterisk/sip.conf:1  guest-calls") && output.stdout.contains("  fix: set allowguest=no"))
        #expect(output.stdout.contains("findings: ") && output.stdout.contains(" critical"))
        #expect(!output.stdout.contains("ClueCon") && !output.stdout.contains("amp111"), "secrets are never printed")
    }

    @Test("the hardened tree: no findings, exit 0; JSON; a missing folder exits 2")
    func hardenedJSONAndMissing() throws {
        let hardened = try TollgateBinary.run(["audit", "config", Self.fixtures.appendingPathComponent("hardened").path])
        #expect(hardened.status == 0 && hardened.stdout.contains("no findings"), "\(hardened.stdout)")
        let json = try TollgateBinary.run(["audit", "config", "--json", Self.fixtures.appendingPathComponent("weak").path])
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(findings.contains { ($0["check"] as? String) == "insecure-invite" && ($0["subject"] as? String)?.hasPrefix("asterisk/sip.conf:") == true })
        #expect(try TollgateBinary.run(["audit", "config", "/nonexistent/folder"]).status == 2)
    }
}
