import Foundation
import Testing
import TollgateStoreSQLite

@Suite("tollgate divert")
struct DivertCommandTests {
    @Test("on needs a fallback; on, status and off switch it in the store and the audit log")
    func onOff() async throws {
        let fixture = try StoreFixture()
        #expect(try fixture.run(["divert", "on"]).status == 1)
        let config = fixture.folder.appendingPathComponent("fallback.yaml")
        try """
            listeners:
              - listen: udp:127.0.0.1:5060
            pbx: udp:127.0.0.20:5080
            trunks:
              - { name: carrier, endpoint: "udp:127.0.0.10:5060" }
            fallback: { target: "+447700900123", trunks: [carrier] }
            store: { path: "\(fixture.storePath)" }
            """.write(to: config, atomically: true, encoding: .utf8)
        let on = try TollgateBinary.run(["divert", "on", "--reason", "evacuation", "--config", config.path])
        #expect(on.status == 0 && on.stdout.contains("inbound calls go to +447700900123 over carrier"), "\(on.stderr)")
        #expect(try TollgateBinary.run(["divert", "status", "--config", config.path]).stdout.contains("evacuation"))
        #expect(try TollgateBinary.run(["divert", "off", "--config", config.path]).stdout.contains("divert off"))
        let store = try SQLiteStore(path: fixture.storePath)
        #expect(try await store.divert() == nil)
        #expect(try await store.auditEntries(since: nil, limit: 5).map(\.action) == ["divert.on", "divert.off"])
    }
}
