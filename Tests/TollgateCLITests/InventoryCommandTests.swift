import Foundation
import Testing
import TollgateModel
import TollgateStoreSQLite

@Suite("tollgate inventory")
struct InventoryCommandTests {
    /// A PBX, a phone and a softphone as the gateway would have seen them.
    static func fixture() async throws -> StoreFixture {
        let fixture = try StoreFixture()
        let store = try SQLiteStore(path: fixture.storePath)
        let now = Date()
        try await store.recordSightings([
            DeviceSighting(address: "127.0.0.20", ext: "", role: .pbx, userAgent: "Asterisk PBX 18.20.0", vendor: "Sangoma", model: nil,
                           firmware: "18.20.0", time: now.addingTimeInterval(-600)),
            DeviceSighting(address: "127.0.0.30", ext: "201", role: .phone, userAgent: "Yealink SIP-T46S 66.86.0.15", vendor: "Yealink",
                           model: "SIP-T46S", firmware: "66.86.0.15", time: now.addingTimeInterval(-300)),
            DeviceSighting(address: "127.0.0.31", ext: "202", role: .phone, userAgent: "MicroSIP/3.20.7", vendor: "MicroSIP", model: nil,
                           firmware: "3.20.7", time: now.addingTimeInterval(-60)),
        ])
        return fixture
    }

    func write(_ text: String, in fixture: StoreFixture) throws -> String {
        let path = fixture.folder.appendingPathComponent("inventory-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("list shows each device with vendor, model, firmware and its findings: end of life, the CVE, an outdated softphone")
    func list() async throws {
        let fixture = try await Self.fixture()
        let output = try fixture.run(["inventory", "list"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("DEVICE") == true)
        let pbx = try #require(lines.first { $0.hasPrefix("127.0.0.20 ") })
        #expect(pbx.contains("pbx") && pbx.contains("18.20.0") && pbx.contains("END OF LIFE") && pbx.contains("CVE-2024-42365"), "\(pbx)")
        let phone = try #require(lines.first { $0.hasPrefix("127.0.0.30/201") })
        #expect(phone.contains("Yealink") && phone.contains("SIP-T46S") && phone.contains("66.86.0.15"), "\(phone)")
        #expect(lines.first { $0.hasPrefix("127.0.0.31/202") }?.contains("outdated") == true)

        let json = try fixture.run(["inventory", "list", "--json"])
        let listings = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(listings.count == 3)
        #expect((listings[0]["product"] as? String) == "Asterisk")
        #expect(((listings[0]["findings"] as? [[String: Any]]) ?? []).contains { ($0["check"] as? String) == "known-vulnerable" })
    }

    @Test("show prints every field and each finding with its fix; an unknown device exits 1, a bad name 2")
    func show() async throws {
        let fixture = try await Self.fixture()
        let output = try fixture.run(["inventory", "show", "127.0.0.20"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("product line     Asterisk"))
        #expect(output.stdout.contains("[critical] end-of-life") && output.stdout.contains("fix: "))
        #expect(try fixture.run(["inventory", "show", "127.0.0.99/7"]).status == 1)
        #expect(try fixture.run(["inventory", "show", "not-an-address"]).status == 2)
    }

    @Test("import merges the operator's fields by address and extension and adds desk phones the gateway never sees")
    func importMerges() async throws {
        let fixture = try await Self.fixture()
        let file = try write("""
            address,extension,owner,department,location,notes,vendor,model,firmware
            127.0.0.30,201,Ana Ruiz,Sales,"2nd floor, desk 14",,,,
            10.0.5.21,305,Reception,,Lobby,"wall mount",Poly,VVX 411,6.4.3.5156
            """, in: fixture)
        let output = try fixture.run(["inventory", "import", file])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("imported 2 devices") && output.stdout.contains("1 added, 1 updated"), "\(output.stdout)")
        let store = try SQLiteStore(path: fixture.storePath)
        let phone = try #require(try await store.inventoryDevice(address: "127.0.0.30", ext: "201"))
        #expect(phone.owner == "Ana Ruiz" && phone.location == "2nd floor, desk 14" && phone.firmware == "66.86.0.15")
        let desk = try #require(try await store.inventoryDevice(address: "10.0.5.21", ext: "305"))
        #expect(desk.vendor == "Poly" && desk.model == "VVX 411" && desk.notes == "wall mount")
        let list = try fixture.run(["inventory", "list"])
        #expect(list.stdout.contains("10.0.5.21/305") && list.stdout.contains("Reception"))
    }

    @Test("a file with a bad row imports nothing and exits 2 naming the line")
    func importRefused() async throws {
        let fixture = try await Self.fixture()
        let file = try write("""
            address,extension,owner,last_seen
            127.0.0.30,201,Somebody,
            not-an-ip,202,Nobody,
            127.0.0.31,202,Other,yesterday
            """, in: fixture)
        let output = try fixture.run(["inventory", "import", file])
        #expect(output.status == 2)
        #expect(output.stderr.contains("line 3") && output.stderr.contains("line 4") && output.stderr.contains("nothing imported"), "\(output.stderr)")
        let store = try SQLiteStore(path: fixture.storePath)
        #expect(try await store.inventoryDevice(address: "127.0.0.30", ext: "201")?.owner == nil)
        let unknown = try write("address,colour\n127.0.0.30,red\n", in: fixture)
        #expect(try fixture.run(["inventory", "import", unknown]).status == 2)
    }

    @Test("export writes CSV that import reads back unchanged")
    func roundTrip() async throws {
        let fixture = try await Self.fixture()
        let exported = try fixture.run(["inventory", "export"])
        #expect(exported.status == 0)
        let lines = exported.stdout.split(separator: "\n")
        #expect(lines.first == "address,extension,role,vendor,model,firmware,user_agent,first_seen,last_seen,firmware_changed,owner,department,location,notes")
        #expect(lines.count == 4)
        let file = try write(exported.stdout, in: fixture)
        let again = try fixture.run(["inventory", "import", file])
        #expect(again.status == 0 && again.stdout.contains("0 added, 3 updated"), "\(again.stdout)\(again.stderr)")
    }
}
