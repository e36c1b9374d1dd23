import Foundation
import Testing
import TollgateTestSupport
import TollgateStore
import TollgateStoreSQLite

@Suite("tollgate ban")
struct BanCommandTests {
    @Test("add, list, list --json, remove and clear work as a round trip on the configured store")
    func roundTrip() async throws {
        let fixture = try StoreFixture()

        let empty = try fixture.run(["ban", "list"])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout == "no active bans\n")

        let added = try fixture.run(["ban", "add", "192.0.2.1", "--for", "2h", "--reason", "scanning us"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("banned 192.0.2.1 for 2h"), "\(added.stdout)")
        #expect(added.stdout.contains("offence 1"))
        let second = try fixture.run(["ban", "add", "[2001:DB8:0:0::1]"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("banned 2001:db8::1 for 1h"), "canonical IPv6, default 1h: \(second.stdout)")

        let list = try fixture.run(["ban", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(list.stdout)")
        #expect(lines.first?.hasPrefix("SOURCE") == true)
        #expect(lines[1].hasPrefix("2001:db8::1 "), "soonest to expire first: \(list.stdout)")
        #expect(lines[2].hasPrefix("192.0.2.1 "))
        #expect(lines[2].contains("scanning us") && lines[2].contains("operator"))
        #expect(lines[2].contains("1h 59m") || lines[2].contains("2h"), "\(lines[2])")
        // Columns line up: every row's RULE column starts where the header's does.
        let ruleColumn = try #require(lines[0].range(of: "RULE")).lowerBound.utf16Offset(in: lines[0])
        for line in lines.dropFirst() {
            let index = line.index(line.startIndex, offsetBy: ruleColumn)
            #expect(line[index...].hasPrefix("operator"), "\(line)")
        }

        let json = try fixture.run(["ban", "list", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let bans = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(bans.map { $0["source"] as? String } == ["2001:db8::1", "192.0.2.1"])
        let first = try #require(bans.last)
        #expect(first["reason"] as? String == "scanning us")
        #expect(first["origin"] as? String == "operator")
        #expect(first["offences"] as? Int == 1)
        #expect(first["active"] as? Bool == true)
        #expect((first["secondsLeft"] as? Int).map { (7190...7200).contains($0) } == true)
        #expect((first["until"] as? String)?.hasSuffix("Z") == true)

        let removed = try fixture.run(["ban", "remove", "192.0.2.1"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stdout == "lifted the ban on 192.0.2.1\n")
        let again = try fixture.run(["ban", "remove", "192.0.2.1"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("192.0.2.1 is not banned"), "\(again.stderr)")

        let afterRemove = try fixture.run(["ban", "list"])
        #expect(!afterRemove.stdout.contains("192.0.2.1"))
        let all = try fixture.run(["ban", "list", "--all"])
        #expect(all.stdout.contains("192.0.2.1") && all.stdout.contains("expired"), "\(all.stdout)")

        let readded = try fixture.run(["ban", "add", "192.0.2.1", "--for", "permanent"])
        #expect(readded.stdout.contains("permanently") && readded.stdout.contains("offence 2"), "\(readded.stdout)")

        let cleared = try fixture.run(["ban", "clear"])
        #expect(cleared.status == 0, "\(cleared.stderr)")
        #expect(cleared.stdout == "lifted 2 bans\n")
        #expect(try fixture.run(["ban", "list"]).stdout == "no active bans\n")
        #expect(try fixture.run(["ban", "clear"]).stdout == "lifted 0 bans\n")

        let store = try SQLiteStore(path: fixture.storePath)
        let record = try #require(try await store.ban(source: "192.0.2.1"))
        #expect(record.offences == 2)
        #expect(record.origin == .operator_)
        #expect(try await store.activeBans(at: Date()).isEmpty)
    }

    @Test("a ban added by the command is seen by a store already open on the file, with a new revision")
    func sharedWithGateway() async throws {
        let fixture = try StoreFixture()
        let gateway = try SQLiteStore(path: fixture.storePath)
        let revision = try await gateway.bansRevision()
        let added = try fixture.run(["ban", "add", "203.0.113.5", "--for", "15m"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try await gateway.bansRevision() > revision)
        #expect(try await gateway.activeBans(at: Date()).map(\.source) == ["203.0.113.5"])
    }

    @Test("a range, a host name or garbage is refused with exit status 2 and nothing is stored",
          arguments: ["192.0.2.0/24", "pbx.example.com", "192.0.2.256", "", "10.0.0.1:5060"])
    func badAddress(address: String) throws {
        let fixture = try StoreFixture()
        let output = try fixture.run(["ban", "add", address])
        #expect(output.status == 2, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("is not an IP address"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.storePath))
        let remove = try fixture.run(["ban", "remove", address])
        #expect(remove.status == 2)
    }

    @Test("a duration that is not a number and a unit is refused with exit status 2",
          arguments: ["forever", "10", "1.5h", "0m", "-5m", "3w", "200000d"])
    func badDuration(duration: String) throws {
        let fixture = try StoreFixture()
        let output = try fixture.run(["ban", "add", "192.0.2.1", "--for=\(duration)"])
        #expect(output.status == 2, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("--for:"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.storePath))
    }

    @Test("a PostgreSQL store nobody answers for is reported with its address and without its password, exit status 1")
    func postgresAway() throws {
        // Port 9 on loopback: nothing listens, the connection is refused at once.
        let fixture = try StoreFixture(storeURL: "postgres://tollgate:secret@127.0.0.1:9/tollgate?sslmode=disable")
        let output = try fixture.run(["ban", "list"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("cannot open the store at postgres://tollgate@127.0.0.1:9/tollgate"), "\(output.stderr)")
        #expect(!output.stderr.contains("secret"))
    }

    @Test("a ban added through one node's configuration is listed through --store URL, and lifted", .enabled(if: PostgresTestServer.enabled))
    func postgresShared() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "cli_ban")
        let fixture = try StoreFixture(storeURL: url)
        let added = try fixture.run(["ban", "add", "192.0.2.66", "--for=1h", "--reason", "scanner seen at node A"])
        #expect(added.status == 0, "\(added.stdout)\(added.stderr)")
        let listed = try TollgateBinary.run(["ban", "list", "--store", url])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("192.0.2.66"), "\(listed.stdout)")
        let removed = try TollgateBinary.run(["ban", "remove", "192.0.2.66", "--store", url])
        #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
        #expect(!(try TollgateBinary.run(["ban", "list", "--store", url]).stdout.contains("192.0.2.66")))
    }

    @Test("a store file that is not a database is reported, exit status 1")
    func garbageStore() throws {
        let fixture = try StoreFixture()
        try Data(String(repeating: "garbage ", count: 512).utf8).write(to: URL(fileURLWithPath: fixture.storePath))
        let output = try fixture.run(["ban", "list"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("cannot open the store at \(fixture.storePath)"), "\(output.stderr)")
    }
}
