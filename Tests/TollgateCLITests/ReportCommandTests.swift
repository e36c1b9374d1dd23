import Foundation
import Testing

/// `tollgate report`, rendered the way a person sees it: headless Chromium draws it to PNG and dumps
/// its DOM, and prints it to PDF. The report of this lab is kept in .build/test-artefacts/.
@Suite("tollgate report")
struct ReportCommandTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Under CI Chromium is installed by the test script, so these tests run and fail rather than skip.
    static let canRender = chromium != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TollgateAuditTests/Fixtures")
    static let artefacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/test-artefacts")

    static func chromium(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium ?? "/usr/bin/chromium")
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func lab() throws -> (StoreFixture, String) {
        let fixture = try StoreFixture()
        let seed = fixture.folder.appendingPathComponent("inventory.csv").path
        try """
            address,extension,role,vendor,model,firmware,user_agent,owner,location
            127.0.0.20,,pbx,Sangoma,,18.20.0,Asterisk PBX 18.20.0,IT,server room
            127.0.0.30,201,phone,Yealink,SIP-T46S,66.86.0.15,Yealink SIP-T46S 66.86.0.15,Ana Ruiz,desk 14
            127.0.0.31,202,phone,MicroSIP,,3.20.7,MicroSIP/3.20.7,"<img src=x onerror=alert(1)>",
            """.write(toFile: seed, atomically: true, encoding: .utf8)
        #expect(try fixture.run(["inventory", "import", seed]).status == 0)
        return (fixture, fixture.folder.appendingPathComponent("report.html").path)
    }

    @Test("the report is written with its snapshot; a second one lists what changed")
    func writesAndCompares() throws {
        let (fixture, html) = try lab()
        let first = try fixture.run(["report", "--output", html, "--config-dir", Self.fixtures.appendingPathComponent("weak").path,
                                     "--contact", "NOC +44 20 7946 0000", "--markdown", html + ".md"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("wrote \(html) (3 devices"))
        #expect(FileManager.default.fileExists(atPath: html + ".snapshot.json") && FileManager.default.fileExists(atPath: html + ".md"))
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(text.contains("This is the first report.") && text.contains("asterisk/sip.conf:1"))
        #expect(!text.contains("<img src=x"), "an owner's markup is escaped")
        let second = try fixture.run(["report", "--output", html])
        #expect(second.status == 0)
        let again = try String(contentsOfFile: html, encoding: .utf8)
        #expect(again.contains("resolved: guest-calls asterisk/sip.conf:1"), "the config findings were not asked for this time")
        try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: Self.artefacts.appendingPathComponent("living-document.html"))
        try FileManager.default.copyItem(atPath: html, toPath: Self.artefacts.appendingPathComponent("living-document.html").path)
    }

    @Test("Chromium renders it to PNG, its DOM has every section, and it prints to PDF", .enabled(if: canRender))
    func rendered() throws {
        let (fixture, html) = try lab()
        #expect(try fixture.run(["report", "--output", html, "--config-dir", Self.fixtures.appendingPathComponent("weak").path]).status == 0)
        let png = fixture.folder.appendingPathComponent("report.png").path
        let shot = try Self.chromium(["--window-size=1200,3000", "--screenshot=\(png)", URL(fileURLWithPath: html).absoluteString])
        #expect(shot.status == 0)
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.count > 50_000 && image.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG with something drawn")
        let dom = try Self.chromium(["--dump-dom", URL(fileURLWithPath: html).absoluteString]).output
        for heading in ["Inventory", "Update schedule", "Findings", "Call flow", "Tollgate's posture", "Failover drill", "Incident response",
                        "Changes since the last report"] {
            #expect(dom.contains(heading), "\(heading)")
        }
        #expect(dom.contains("<svg") && dom.contains("Ana Ruiz") && !dom.contains("onerror=\"alert"))
        let pdf = fixture.folder.appendingPathComponent("report.pdf").path
        let printed = try fixture.run(["report", "--output", html, "--pdf", pdf])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect((try? Data(contentsOf: URL(fileURLWithPath: pdf)).prefix(4)) == Data("%PDF".utf8))
        try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: Self.artefacts.appendingPathComponent("living-document.png"))
        try FileManager.default.copyItem(atPath: png, toPath: Self.artefacts.appendingPathComponent("living-document.png").path)
    }
}
