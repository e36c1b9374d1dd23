import Foundation
import Testing
import TollgateConfig
import TollgateModel

@testable import TollgateAudit

@Suite("The living document")
struct LivingDocumentTests {
    static let now = Date(timeIntervalSince1970: 1_796_200_000)  // 2026-12-02
    static let yaml = """
        listeners:
          - { zone: external, listen: "udp:203.0.113.5:5060" }
        pbx: { endpoint: "udp:192.0.2.20:5060" }
        trunks:
          - { name: carrier, endpoint: "udp:198.51.100.1:5060" }
          - { name: backup, endpoint: "udp:198.51.100.9:5060", priority: 2 }
        """

    static func devices() -> [InventoryDevice] {
        [
            InventoryDevice(address: "192.0.2.20", ext: "", role: .pbx, userAgent: "Asterisk PBX 18.20.0", vendor: "Sangoma", firmware: "18.20.0",
                            firstSeen: now.addingTimeInterval(-200 * 86_400), lastSeen: now, owner: "IT"),
            InventoryDevice(address: "10.0.5.21", ext: "201", role: .phone, userAgent: "Yealink SIP-T46S 66.86.0.15", vendor: "Yealink",
                            model: "SIP-T46S", firmware: "66.86.0.15", firstSeen: now.addingTimeInterval(-10 * 86_400), lastSeen: now,
                            owner: "<script>alert(1)</script>", location: "desk 14"),
        ]
    }

    func document(previous: LivingDocument.Snapshot? = nil) throws -> LivingDocument {
        var inputs = LivingDocument.Inputs(config: try TollgateConfig(yaml: Self.yaml), devices: Self.devices(),
                                           review: try InventoryReview.shipped(), now: Self.now)
        inputs.contacts = ["NOC +44 20 7946 0000"]
        inputs.previous = previous
        return LivingDocument(inputs)
    }

    @Test("every section is there, in one file with nothing fetched, and what devices announced is escaped")
    func sections() throws {
        let html = try document().html()
        for id in ["inventory", "schedule", "findings", "call-flow", "posture", "drill", "runbook", "changes"] {
            #expect(html.contains("<section id=\"\(id)\">"), "\(id)")
        }
        #expect(html.contains("<svg") && html.contains("carrier (udp 198.51.100.1:5060)") && html.contains("PBX"))
        #expect(!html.contains("<script") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import"))
        #expect(html.contains("default-src 'none'"))
    }

    @Test("the schedule marks overdue devices; findings come from the lifecycle table; the runbook names this system")
    func content() throws {
        let document = try document()
        let html = document.html()
        #expect(html.contains("1 are overdue"), "the PBX was last updated 200 days ago")
        #expect(document.findings.contains { $0.check == "end-of-life" && $0.subject == "192.0.2.20" })
        #expect(html.contains("tollgate account suspend 201") && html.contains("carrier (priority 1), backup (priority 2)"))
        #expect(html.contains("NOC +44 20 7946 0000") && html.contains("This is the first report."))
        let markdown = document.markdown()
        #expect(markdown.contains("## Findings") && markdown.contains("**critical** `192.0.2.20` end-of-life"))
    }

    @Test("what changed since the last report: new devices, firmware, new and resolved findings")
    func changes() throws {
        let previous = LivingDocument.Snapshot(date: Self.now.addingTimeInterval(-91 * 86_400), devices: ["192.0.2.20": "18.10.0", "10.0.5.99/299": ""],
                                               findings: ["weak-password pjsip.conf:3", "end-of-life 192.0.2.20"])
        let html = try document(previous: previous).html()
        #expect(html.contains("new device 10.0.5.21/201"))
        #expect(html.contains("device gone: 10.0.5.99/299"))
        #expect(html.contains("192.0.2.20: firmware 18.10.0 → 18.20.0"))
        #expect(html.contains("resolved: weak-password pjsip.conf:3"))
        #expect(html.contains("new finding: known-vulnerable 192.0.2.20"))
    }
}
