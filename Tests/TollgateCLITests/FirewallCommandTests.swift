import Foundation
import Testing

/// `tollgate firewall nftables`, with the ruleset checked by nftables itself (`nft -c`).
@Suite("tollgate firewall nftables")
struct FirewallCommandTests {
    static let nft: String? = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Under CI nftables is installed by the test script, so the check runs and fails rather than skipping.
    static let canCheck = nft != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    func check(_ path: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.nft ?? "/usr/sbin/nft")
        process.arguments = ["-c", "-f", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("the ruleset of the example configuration, with and without --admin, passes nft -c", .enabled(if: canCheck))
    func nftAccepts() throws {
        let fixture = try StoreFixture()
        for admin in [[], ["--admin", "10.20.0.0/16", "--admin", "2001:db8:99::/48"]] {
            let path = fixture.folder.appendingPathComponent("tollgate-\(admin.count).nft").path
            let output = try fixture.run(["firewall", "nftables", "--output", path] + admin)
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.contains("nft -c -f \(path)"))
            let (status, text) = try check(path)
            #expect(status == 0, "nft -c refused the ruleset: \(text)\n\((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")")
        }
    }

    @Test("a bad --admin range exits 2")
    func badAdmin() throws {
        let fixture = try StoreFixture()
        let output = try fixture.run(["firewall", "nftables", "--admin", "10.0.0.0/33"])
        #expect(output.status == 2, "\(output.stderr)")
    }
}
