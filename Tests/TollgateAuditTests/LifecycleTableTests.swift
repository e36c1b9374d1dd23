import Foundation
import Testing

@testable import TollgateAudit

@Suite("Lifecycle: end of life, support ending, known vulnerabilities, outdated softphones")
struct LifecycleTableTests {
    let table: LifecycleTable

    init() throws {
        table = try LifecycleTable.shipped()
    }

    static func day(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text) ?? Date.distantPast
    }

    func checks(_ product: String, _ version: String?, on date: String) -> [String] {
        table.findings(product: product, version: version, subject: "pbx", at: Self.day(date)).map(\.check)
    }

    @Test("Asterisk 18 is past its end of life and vulnerable before 18.24.2")
    func asterisk18() {
        #expect(checks("Asterisk", "18.20.0", on: "2026-12-02") == ["end-of-life", "known-vulnerable"])
        #expect(checks("Asterisk", "18.24.2", on: "2026-12-02") == ["end-of-life"])
    }

    @Test("Asterisk 20: CVE-2024-42365 before 20.9.2, security-only since 2026-10-19, end of life warned 90 days ahead")
    func asterisk20() {
        #expect(checks("Asterisk", "20.9.1", on: "2026-06-01") == ["known-vulnerable"])
        #expect(checks("Asterisk", "20.10.0", on: "2026-06-01").isEmpty, "20.10.0 > 20.9.2 as versions")
        #expect(checks("Asterisk", "20.10.0", on: "2026-12-02") == ["security-fixes-only"])
        #expect(checks("Asterisk", "20.10.0", on: "2027-08-01") == ["security-fixes-only", "support-ending"])
        #expect(checks("Asterisk", "20.10.0", on: "2027-10-20") == ["security-fixes-only", "end-of-life"])
    }

    @Test("known vulnerabilities by range; RCE and SQL injection are critical")
    func vulnerabilities() {
        let freepbx = table.findings(product: "FreePBX", version: "16.0.40", subject: "pbx", at: Self.day("2026-12-02"))
        #expect(freepbx.first?.why.contains("CVE-2025-57819") == true && freepbx.first?.severity == .critical)
        #expect(checks("FreeSWITCH", "1.10.5", on: "2026-12-02").filter { $0 == "known-vulnerable" }.count == 3)
        #expect(checks("FreeSWITCH", "1.10.12", on: "2026-12-02").isEmpty)
        #expect(checks("Grandstream UCM", "1.0.19.20", on: "2026-12-02").isEmpty)
        #expect(checks("Grandstream UCM", "1.0.18.13", on: "2026-12-02") == ["known-vulnerable"])
        #expect(checks("OpenSIPS", "3.2.4", on: "2026-12-02") == ["known-vulnerable"])
        #expect(checks("OpenSIPS", "3.1.9", on: "2026-12-02").isEmpty)
        #expect(checks("Cisco SPA", "7.6.2c", on: "2026-12-02") == ["end-of-life", "known-vulnerable"])
    }

    @Test("outdated softphones, and unknown products or versions")
    func softphones() {
        #expect(checks("MicroSIP", "3.20.7", on: "2026-12-02") == ["outdated-softphone"])
        #expect(checks("MicroSIP", "3.21.5", on: "2026-12-02").isEmpty)
        #expect(checks("Zoiper", "20012", on: "2026-12-02").isEmpty, "a rev. number is not a version 3 or 4")
        #expect(checks("Poly SoundPoint", nil, on: "2026-12-02") == ["end-of-life"], "a retired line is end of life whatever the version")
        #expect(checks("Asterisk", nil, on: "2026-12-02").isEmpty, "a hidden version proves nothing")
        #expect(checks("Unknown PBX", "1.0", on: "2026-12-02").isEmpty)
    }

    @Test("every row has a source; a bad row is refused with its line")
    func file() {
        #expect(table.rows.allSatisfy { !$0.source.isEmpty })
        #expect(table.rows.count > 25)
        do {
            _ = try LifecycleTable(text: "# x\nAsterisk | 20.* | eol | 2027-13-45 | d | s\n")
            Issue.record("a bad date was accepted")
        } catch {
            #expect(error.line == 2)
        }
    }
}
