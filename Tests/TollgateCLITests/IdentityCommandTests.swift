import Foundation
import Testing
import TollgateTestSupport

/// `tollgate identity verify`: the verdict printed, and the exit status scripts rely on.
@Suite("tollgate identity verify")
struct IdentityCommandTests {
    static let x5u = "https://127.0.0.42:8443/sti/707H.pem"

    let folder: URL
    let authority: ShakenTestAuthority
    let caPath: String
    let certPath: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-identity-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        authority = try ShakenTestAuthority()
        caPath = folder.appendingPathComponent("ca.pem").path
        certPath = folder.appendingPathComponent("sp.pem").path
        try authority.rootPEM.write(toFile: caPath, atomically: true, encoding: .utf8)
        try authority.chainPEM.write(toFile: certPath, atomically: true, encoding: .utf8)
    }

    func header(attest: String = "A", iat: Date = Date()) -> String {
        "Identity: " + authority.identityHeader(authority.passport(orig: "12155550100", dest: ["12155550199"], iat: iat, attest: attest, x5u: Self.x5u),
                                                info: Self.x5u)
    }

    func verify(_ identity: String, _ extra: [String] = []) throws -> TollgateBinary.Output {
        try TollgateBinary.run(["identity", "verify", identity, "--orig", "+12155550100", "--dest", "2155550199", "--ca", caPath] + extra)
    }

    @Test("a valid PASSporT with --cert: 'verified B', exit 0")
    func verified() throws {
        let output = try verify(header(attest: "B"), ["--cert", certPath])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.split(whereSeparator: \.isWhitespace) == ["verified", "B"])
    }

    @Test("judged at a later time the PASSporT is stale: 'failed: iat-stale', exit 1")
    func staleAt() throws {
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(600))
        let output = try verify(header(), ["--cert", certPath, "--at", later])
        #expect(output.status == 1)
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "failed: iat-stale")
    }

    @Test("another CA's certificate: 'failed: certificate-untrusted', exit 1")
    func untrusted() throws {
        let other = try ShakenTestAuthority(name: "Another STI-CA")
        let otherCA = folder.appendingPathComponent("other.pem").path
        try other.rootPEM.write(toFile: otherCA, atomically: true, encoding: .utf8)
        let output = try TollgateBinary.run(["identity", "verify", header(), "--orig", "12155550100", "--dest", "12155550199",
                                             "--ca", otherCA, "--cert", certPath])
        #expect(output.status == 1)
        #expect(output.stdout.contains("failed: certificate-untrusted"))
    }

    @Test("without --cert the x5u is fetched as the gateway would: nothing there is certificate-unavailable, exit 1")
    func fetches() throws {
        let output = try verify(header(), ["--allow", "127.0.0.42:8443"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("failed: certificate-unavailable"), "\(output.stdout)\(output.stderr)")
        let refused = try verify(header())
        #expect(refused.stdout.contains("failed: x5u-not-allowed"), "an internal address not listed is never fetched")
    }

    @Test("unusable input exits 2: no CA, an unreadable CA, a bad --at, no header")
    func unusable() throws {
        #expect(try TollgateBinary.run(["identity", "verify", header(), "--orig", "1", "--dest", "2"]).status == 2)
        #expect(try verify(header(), ["--ca", "/nonexistent.pem"]).status == 2)
        #expect(try verify(header(), ["--at", "yesterday-ish", "--cert", certPath]).status == 2)
        #expect(try TollgateBinary.run(["identity", "verify", "", "--orig", "1", "--dest", "2", "--ca", caPath]).status == 2)
        #expect(try verify(header(), ["--cert", "/nonexistent.pem"]).status == 2)
    }
}
