import Foundation
import GRDB
import Testing

@Suite("tollgate audit-log")
struct AuditLogCommandTests {
    @Test("user changes are logged with who and what; verify finds an edited row and a deleted one")
    func logAndVerify() throws {
        let fixture = try StoreFixture()
        #expect(try fixture.run(["audit-log"]).stdout.contains("the audit log is empty"))
        #expect(try fixture.run(["user", "add", "ana", "--role", "admin"]).status == 0)
        #expect(try fixture.run(["user", "reset", "ana"]).status == 0)
        #expect(try fixture.run(["user", "remove", "ana"]).status == 0)
        let shown = try fixture.run(["audit-log"])
        #expect(shown.stdout.contains("user.add") && shown.stdout.contains("user.reset") && shown.stdout.contains("user.remove"), "\(shown.stdout)")
        #expect(shown.stdout.contains("cli:") && shown.stdout.contains("role admin"))
        let intact = try fixture.run(["audit-log", "verify"])
        #expect(intact.status == 0 && intact.stdout.contains("intact: 3 entries"), "\(intact.stdout)")

        let database = try DatabaseQueue(path: fixture.storePath)
        let original = try database.read { db in try String.fetchOne(db, sql: "SELECT after FROM audit_log WHERE id = 1") }
        try database.write { db in try db.execute(sql: "UPDATE audit_log SET after = 'role viewer' WHERE id = 1") }
        let edited = try fixture.run(["audit-log", "verify"])
        #expect(edited.status == 1 && edited.stdout.contains("entry 1: its content was changed"), "\(edited.stdout)")
        try database.write { db in try db.execute(sql: "UPDATE audit_log SET after = ? WHERE id = 1", arguments: [original]) }
        #expect(try fixture.run(["audit-log", "verify"]).status == 0)
        try database.write { db in try db.execute(sql: "DELETE FROM audit_log WHERE id = 3") }
        let truncated = try fixture.run(["audit-log", "verify"])
        #expect(truncated.status == 1 && truncated.stdout.contains("newest were deleted"), "\(truncated.stdout)")
    }
}
