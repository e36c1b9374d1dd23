import Foundation
import Testing

@Suite("tollgate cdr analyze")
struct CDRAnalyzeCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TollgateFraudTests/Fixtures")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// A fresh working folder, so the default cdr-report.html and ./tollgate.yaml are the test's own.
    static func folder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cdr-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test("A clean month exits 0, prints the summary and writes cdr-report.html in the working folder")
    func cleanMonth() throws {
        let folder = try Self.folder()
        let output = try TollgateBinary.run(
            ["cdr", "analyze", Self.fixture("clean-month-asterisk.csv"), "--format", "asterisk", "--config", Self.fixture("clean.yaml")],
            directory: folder)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("rows analysed   2520"))
        #expect(output.stdout.contains("calls by class  internal 225, national 1284, mobile 869, international 142"))
        #expect(output.stdout.contains("no findings"))
        #expect(output.stderr.isEmpty, "nothing on standard error when it is not a terminal: \(output.stderr)")
        let html = try String(contentsOfFile: folder + "/cdr-report.html", encoding: .utf8)
        #expect(html.contains("<svg"))
    }

    @Test("Findings exit 3, are listed in a table, and --json writes them as an array")
    func findings() throws {
        let folder = try Self.folder()
        let output = try TollgateBinary.run(
            ["cdr", "analyze", Self.fixture("night-burst-asterisk.csv"), "--format", "asterisk", "--config", Self.fixture("night.yaml"),
             "--json", "findings.json", "--html", "night.html", "--no-progress"],
            directory: folder)
        #expect(output.status == 3, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("findings: 2"))
        #expect(lines.contains { $0.hasPrefix("RULE") && $0.contains("ACCOUNT") && $0.contains("VALUE/LIMIT") })
        #expect(lines.contains { $0.hasPrefix("after-hours") && $0.contains("212") && $0.contains("warning") })
        #expect(lines.contains { $0.hasPrefix("international-per-hour") && $0.contains("12/10") && $0.contains("critical") })
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/findings.json"))
        let findings = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(findings.map { $0["rule"] as? String } == ["after-hours", "international-per-hour"])
        #expect(findings.allSatisfy { $0["account"] as? String == "212" })
        #expect((findings[1]["lines"] as? [Int])?.count == 7)
        #expect(FileManager.default.fileExists(atPath: folder + "/night.html"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/cdr-report.html"))
    }

    @Test("FreeSWITCH and Tollgate layouts are read with --format, and --timezone sets the local zone")
    func otherFormats() throws {
        let folder = try Self.folder()
        let freeswitch = try TollgateBinary.run(
            ["cdr", "analyze", Self.fixture("clean-month-freeswitch.csv"), "--format", "freeswitch", "--config", Self.fixture("clean.yaml"),
             "--no-html"], directory: folder)
        #expect(freeswitch.status == 0, "\(freeswitch.stderr)")
        #expect(freeswitch.stdout.contains("(freeswitch, times in Europe/London)"))
        let tollgate = try TollgateBinary.run(
            ["cdr", "analyze", Self.fixture("probing-tollgate.csv"), "--format", "tollgate", "--timezone", "Europe/London", "--no-html"],
            directory: folder)
        #expect(tollgate.status == 3, "\(tollgate.stderr)")
        #expect(tollgate.stdout.contains("short-calls"))
        #expect(!tollgate.stdout.contains("class-of-service"), "no class of service written, none judged")
        #expect(tollgate.stdout.contains("no classes of service are configured"))
    }

    @Test("With no configuration, ordinary calls abroad are not findings: who calls where is listed and a policy proposed")
    func noPolicyWritten() throws {
        let folder = try Self.folder()
        let output = try TollgateBinary.run(
            ["cdr", "analyze", Self.fixture("clean-month-asterisk.csv"), "--format", "asterisk", "--no-html"], directory: folder)
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        #expect(output.stdout.contains("no classes of service are configured"))
        #expect(output.stdout.contains("proposed policy that allows these calls"))
        #expect(output.stdout.contains("countries: [\"33\", \"34\", \"49\", \"353\"]"))
        #expect(output.stdout.contains("no findings"))
        #expect(!output.stdout.contains("class-of-service"))
    }

    @Test("A FreeSWITCH file analysed as Asterisk exits 2, naming the layout expected and the first rows it could not read; no report is written")
    func wrongLayout() throws {
        let folder = try Self.folder()
        let output = try TollgateBinary.run(
            ["cdr", "analyze", Self.fixture("clean-month-freeswitch.csv"), "--format", "asterisk", "--config", Self.fixture("clean.yaml")],
            directory: folder)
        #expect(output.status == 2, "\(output.stdout)\n\(output.stderr)")
        #expect(output.stderr.contains("this file is not in the asterisk layout"))
        #expect(output.stderr.contains("accountcode, src, dst"))
        #expect(output.stderr.contains("line 1:") || output.stderr.contains("line 2:"))
        #expect(!output.stdout.contains("no findings"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/cdr-report.html"))
    }

    @Test("Malformed rows are printed with their line numbers, up to --show-malformed, with the total")
    func malformedRows() throws {
        let folder = try Self.folder()
        let all = try TollgateBinary.run(
            ["cdr", "analyze", Self.fixture("malformed-asterisk.csv"), "--format", "asterisk", "--config", Self.fixture("clean.yaml"), "--no-html"],
            directory: folder)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("malformed rows  5"))
        for line in [5, 9, 14, 20, 26] { #expect(all.stdout.contains("  line \(line): "), "line \(line)") }
        let two = try TollgateBinary.run(
            ["cdr", "analyze", Self.fixture("malformed-asterisk.csv"), "--format", "asterisk", "--config", Self.fixture("clean.yaml"),
             "--no-html", "--show-malformed", "2"], directory: folder)
        #expect(two.stdout.contains("malformed rows (first 2 of 5):"))
        #expect(two.stdout.contains("line 9:") && !two.stdout.contains("line 14:"))
    }

    @Test("A missing file, an unknown format, an unknown time zone and a bad config exit 2 with a clear error", arguments: [
        (["cdr", "analyze", "/nonexistent/Master.csv", "--format", "asterisk"], "cannot open /nonexistent/Master.csv"),
        (["cdr", "analyze", "x.csv", "--format", "3cx"], "is not one of asterisk, freeswitch, tollgate"),
        (["cdr", "analyze", "x.csv", "--format", "asterisk", "--timezone", "Mars/Olympus"], "unknown time zone"),
        (["cdr", "analyze", "x.csv", "--format", "asterisk", "--config", "/nonexistent/tollgate.yaml"], "cannot read the file"),
        (["cdr", "analyze", "x.csv", "--format", "asterisk", "--reorder-horizon", "soon"], "--reorder-horizon"),
    ])
    func usageErrors(arguments: [String], message: String) throws {
        let output = try TollgateBinary.run(arguments, directory: try Self.folder())
        #expect(output.status == 2)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }
}
