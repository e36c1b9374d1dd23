import Foundation
import Testing
import TollgateFraud
import TollgateStore
import TollgateModel
import TollgateStoreSQLite

@Suite("tollgate cdr export then analyze")
struct CDRRoundTripTests {
    @Test("The gateway's own CDRs, exported as CSV, are read back by cdr analyze --format tollgate with the same rules")
    func exportThenAnalyze() async throws {
        let fixture = try StoreFixture()
        let store = try SQLiteStore(path: fixture.storePath)
        let start = Date(timeIntervalSince1970: 1_795_000_000)  // a Tuesday, mid-afternoon in London
        var records: [CallDetailRecord] = []
        for index in 0..<6 {
            let begin = start.addingTimeInterval(Double(index) * 120)
            records.append(CallDetailRecord(
                callID: "ok-\(index)", direction: .outbound, from: "Desk, \"Main\"", to: "0163296012\(index)", destinationClass: "national",
                account: "201", source: "127.0.0.20", trunk: "carrier", start: begin, answer: begin + 3, end: begin + 63, cause: 200,
                disposition: .answered, hangup: .caller))
        }
        // A premium call from an extension whose class is national only (the default).
        records.append(CallDetailRecord(
            callID: "premium-1", direction: .outbound, from: "207", to: "09098790123", destinationClass: "premium", account: "207",
            source: "127.0.0.20", trunk: "carrier", start: start + 900, answer: start + 905, end: start + 1_500, cause: 200,
            disposition: .answered, hangup: .callee))
        // An inbound call: counted, not analysed.
        records.append(CallDetailRecord(
            callID: "in-1", direction: .inbound, from: "+441632960000", to: "201", destinationClass: "internal", account: "carrier",
            source: "127.0.0.10", trunk: "carrier", start: start + 30, end: start + 40, cause: 486, disposition: .busy, hangup: .callee))
        try await store.appendCDRs(records)

        let csv = fixture.folder.appendingPathComponent("calls.csv").path
        let export = try fixture.run(["cdr", "export", "--format", "csv", "--output", csv])
        #expect(export.status == 0, "\(export.stderr)")
        // The gateway's rules written out: the desks' class of service is national only.
        let policy = fixture.folder.appendingPathComponent("policy.yaml").path
        try """
            listeners: [{ listen: udp:127.0.0.1:5070 }]
            pbx: udp:127.0.0.20:5080
            fraud:
              classes_of_service:
                desk: { allow: [internal, national, mobile] }
              groups:
                - { name: desks, accounts: ["201-209"], class_of_service: desk }
            """.write(toFile: policy, atomically: true, encoding: .utf8)
        let analysis = try TollgateBinary.run(
            ["cdr", "analyze", csv, "--format", "tollgate", "--config", policy, "--no-html", "--json", "findings.json"],
            directory: fixture.folder.path)
        #expect(analysis.status == 3, "\(analysis.stdout)\n\(analysis.stderr)")
        let summary = analysis.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(summary.contains("rows analysed 7") && summary.contains("malformed rows 0") && summary.contains("inbound (not analysed) 1"),
                "\(analysis.stdout)")
        let data = try Data(contentsOf: fixture.folder.appendingPathComponent("findings.json"))
        let findings = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(findings.map { $0["rule"] as? String } == ["class-of-service"])
        #expect(findings.first?["account"] as? String == "207")
        #expect(findings.first?["numbers"] as? [String] == ["09098790123"])
    }
}
