import Foundation
import Testing

/// `tollgate drill failover` against sipp trunks on loopback, and its result in the living document.
@Suite("tollgate drill failover", .serialized)
struct DrillFailoverTests {
    @Test("a backup that does not answer fails the drill; once it answers the drill passes, and the report shows it")
    func drill() throws {
        let port = 5690
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-drill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("tollgate.yaml")
        try """
            listeners: [{ zone: external, listen: "udp:127.0.0.1:\(port)" }]
            pbx: { endpoint: "udp:127.0.0.20:\(port + 1)" }
            trunks:
              - { name: main, endpoint: "udp:127.0.0.10:\(port + 2)", priority: 1 }
              - { name: backup, endpoint: "udp:127.0.0.11:\(port + 2)", priority: 2 }
            routes: [{ prefix: "", trunks: [main, backup] }]
            store: { path: "\(directory.appendingPathComponent("tollgate.db").path)" }
            """.write(to: config, atomically: true, encoding: .utf8)
        func tollgate(_ arguments: [String]) throws -> PeerProcess {
            let command = try PeerProcess(name: "tollgate-drill", executable: Peers.tollgate, arguments: arguments + ["--config", config.path],
                                          directory: directory)
            _ = command.wait(timeout: 30)
            return command
        }
        let main = try PeerProcess.sipp("uas-options.xml", local: "127.0.0.10", port: port + 2, calls: 2)
        defer { main.stop() }
        usleep(300_000)
        let failed = try tollgate(["drill", "failover", "--test-number", "02079460000", "--timeout", "1", "--source", "127.0.0.1"])
        #expect(failed.process.terminationStatus == 1, "\(failed.log)")
        #expect(failed.log.contains("FAIL  with main out, no other trunk answers: backup did not answer"), "\(failed.log)")
        #expect(failed.log.contains("PASS  with backup out, calls to 02079460000 go to main, which answered 200"), "\(failed.log)")

        let backup = try PeerProcess.sipp("uas-options.xml", local: "127.0.0.11", port: port + 2, calls: 1)
        defer { backup.stop() }
        usleep(300_000)
        let passed = try tollgate(["drill", "failover", "--test-number", "02079460000", "--timeout", "1", "--source", "127.0.0.1"])
        #expect(passed.process.terminationStatus == 0, "\(passed.log)")
        #expect(passed.log.contains("failover drill passed"), "\(passed.log)")

        let report = directory.appendingPathComponent("report.html").path
        #expect(try tollgate(["report", "--output", report]).process.terminationStatus == 0)
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("route of 02079460000: passed") && html.contains("go to backup, which answered 200"), "\(html)")
    }
}
