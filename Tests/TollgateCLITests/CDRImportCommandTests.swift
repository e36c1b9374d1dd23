import Foundation
import Testing
import TollgateStore
import TollgateStoreSQLite

@Suite("tollgate cdr import")
struct CDRImportCommandTests {
    static let row = #""","201","01632960123","from-internal","""Desk"" <201>","PJSIP/201-1","PJSIP/trunk-1","Dial","PJSIP/01632960123@trunk,60","2026-11-02 10:00:00","2026-11-02 10:00:05","2026-11-02 10:02:05","125","120","ANSWERED","DOCUMENTATION","1793613600.1""#

    @Test("outbound calls are stored once: a row repeated in the file, or a file imported again, adds nothing")
    func importsOnce() async throws {
        let fixture = try StoreFixture()
        let second = Self.row.replacingOccurrences(of: "2026-11-02 10:", with: "2026-11-02 11:").replacingOccurrences(of: "1793613600.1", with: "1793617200.2")
        let file = fixture.folder.appendingPathComponent("Master.csv").path
        try [Self.row, Self.row, second].joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let first = try fixture.run(["cdr", "import", file, "--format", "asterisk"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("imported 2 calls") && first.stdout.contains("1 already stored"), "\(first.stdout)")
        let again = try fixture.run(["cdr", "import", file, "--format", "asterisk"])
        #expect(again.stdout.contains("imported 0 calls") && again.stdout.contains("3 already stored"), "\(again.stdout)")
        let store = try SQLiteStore(path: fixture.storePath)
        let stored = try await store.cdrs(CDRQuery(limit: 10))
        #expect(stored.count == 2 && stored.allSatisfy { $0.account == "201" && $0.direction == .outbound })
    }

    @Test("a file whose rows mostly do not parse is refused before anything is stored (exit 2)")
    func refusesGarbage() async throws {
        let fixture = try StoreFixture()
        let file = fixture.folder.appendingPathComponent("junk.csv").path
        try ([Self.row] + (0..<5).map { "not,a,cdr,\($0)" }).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let output = try fixture.run(["cdr", "import", file, "--format", "asterisk"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("asterisk"), "\(output.stderr)")
        let store = try SQLiteStore(path: fixture.storePath)
        #expect(try await store.cdrs(CDRQuery(limit: 10)).isEmpty, "nothing stored")
    }
}
