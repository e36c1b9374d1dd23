import Foundation
import Testing
import TollgateFraud
import TollgateStore
import TollgateModel
import TollgateStoreSQLite

@Suite("tollgate account")
struct AccountCommandTests {
    /// Account 1001 with counters and 12 calls, account 1002 suspended by a rule, as the gateway would store them.
    static func fixture() async throws -> StoreFixture {
        let fixture = try StoreFixture()
        let store = try SQLiteStore(path: fixture.storePath)
        let now = Date()
        try await store.saveAccountSnapshots([
            AccountSnapshot(account: "1001", group: "sales", classOfService: "international", callsLastMinute: 2, concurrentCalls: 1,
                            callsToday: 14, internationalLastHour: 3, shortCallRun: 5, shortCallPrefix: "882", minutesToday: 52.5,
                            time: now.addingTimeInterval(-20))
        ])
        try await store.saveSuspension(AccountSuspension(account: "1002", since: now.addingTimeInterval(-600), rule: "international-rate",
                                                         reason: "9 international calls in the last hour, limit 5"))
        try await store.appendCDRs((0..<12).map { index in
            let start = now.addingTimeInterval(Double(-3600 + index * 60))
            return CallDetailRecord(callID: "call-\(index)", direction: .outbound, from: "1001", to: "0\(index)", account: "1001",
                                    source: "10.0.0.5", trunk: "carrier", start: start, answer: start.addingTimeInterval(2),
                                    end: start.addingTimeInterval(32), cause: 200, disposition: .answered, hangup: .caller)
        })
        return fixture
    }

    @Test("account show prints the stored counters with their time, the suspension state and the last 10 calls")
    func show() async throws {
        let fixture = try await Self.fixture()
        let output = try fixture.run(["account", "show", "1001"])
        #expect(output.status == 0, "\(output.stderr)")
        let text = output.stdout
        #expect(text.hasPrefix("account 1001\ncounters read "), "\(text)")
        #expect(text.contains("class of service") && text.contains("international"))
        #expect(text.contains("calls today") && text.contains("14"))
        #expect(text.contains("5 (to 882)"))
        #expect(text.contains("52.5"))
        #expect(text.contains("not suspended"))
        #expect(text.contains("last 10 calls:"))
        #expect(text.contains("call-") == false, "the table shows numbers, not Call-IDs")
        let callRows = text.split(separator: "\n").filter { $0.contains("outbound") }
        #expect(callRows.count == 10)
        #expect(callRows.first?.contains(" 011 ") == true, "newest first: \(callRows.first ?? "")")
    }

    @Test("account show --json holds the snapshot, the suspension, the reset request and the calls, with null for what is absent")
    func showJSON() async throws {
        let fixture = try await Self.fixture()
        let output = try fixture.run(["account", "show", "1002", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(object["account"] as? String == "1002")
        #expect(object["suspended"] as? Bool == true)
        #expect(object["snapshot"] is NSNull)
        #expect(object["counterResetRequested"] is NSNull)
        #expect((object["calls"] as? [Any])?.isEmpty == true)
        let suspension = try #require(object["suspension"] as? [String: Any])
        #expect(suspension["rule"] as? String == "international-rate")
        #expect(suspension["active"] as? Bool == true)
        #expect(suspension["lifted"] is NSNull)

        let full = try fixture.run(["account", "show", "1001", "--json"])
        let account = try #require(try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any])
        let snapshot = try #require(account["snapshot"] as? [String: Any])
        #expect(snapshot["callsToday"] as? Int == 14)
        #expect(snapshot["shortCallPrefix"] as? String == "882")
        #expect((snapshot["time"] as? String)?.hasSuffix("Z") == true)
        #expect(account["suspension"] is NSNull)
        #expect((account["calls"] as? [[String: Any]])?.count == 10)
    }

    @Test("an account that was never seen is reported with exit status 1")
    func unknownAccount() async throws {
        let fixture = try await Self.fixture()
        let output = try fixture.run(["account", "show", "9999"])
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("account 9999 has never been seen"), "\(output.stderr)")
    }

    @Test("account list shows suspended accounts and accounts with counters")
    func list() async throws {
        let fixture = try await Self.fixture()
        let output = try fixture.run(["account", "list"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(output.stdout)")
        #expect(lines[0].hasPrefix("ACCOUNT"))
        #expect(lines[1].hasPrefix("1001 ") && lines[1].contains("active") && lines[1].contains("international"))
        #expect(lines[2].hasPrefix("1002 ") && lines[2].contains("suspended") && lines[2].contains("international-rate"))

        let json = try fixture.run(["account", "list", "--json"])
        let accounts = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(accounts.map { $0["account"] as? String } == ["1001", "1002"])
        #expect(accounts.map { $0["suspended"] as? Bool } == [false, true])

        let empty = try StoreFixture()
        #expect(try empty.run(["account", "list"]).stdout == "no accounts stored\n")
    }

    @Test("suspend, resume and their refusals work as a round trip, and the gateway's store sees a new revision")
    func suspendAndResume() async throws {
        let fixture = try await Self.fixture()
        let gateway = try SQLiteStore(path: fixture.storePath)
        let before = try await gateway.accountsRevision()

        let suspended = try fixture.run(["account", "suspend", "1001", "--reason", "calls to 882 at night"])
        #expect(suspended.status == 0, "\(suspended.stderr)")
        #expect(suspended.stdout == "suspended 1001 (calls to 882 at night)\n")
        let stored = try #require(try await gateway.suspension(account: "1001"))
        #expect(stored.rule == "operator")
        #expect(stored.reason == "calls to 882 at night")
        #expect(try await gateway.accountsRevision() > before)

        let again = try fixture.run(["account", "suspend", "1001", "--reason", "again"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("1001 is already suspended"), "\(again.stderr)")
        #expect(try await gateway.suspension(account: "1001")?.reason == "calls to 882 at night")

        let resumed = try fixture.run(["account", "resume", "1001"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.hasPrefix("resumed 1001 (suspended since "), "\(resumed.stdout)")
        #expect(try await gateway.suspension(account: "1001") == nil)
        #expect(try await gateway.suspensionRecord(account: "1001")?.lifted != nil, "the record stays")

        let notSuspended = try fixture.run(["account", "resume", "1001"])
        #expect(notSuspended.status == 1)
        #expect(notSuspended.stderr.contains("1001 is not suspended (its last suspension was lifted"), "\(notSuspended.stderr)")
        let never = try fixture.run(["account", "resume", "4242"])
        #expect(never.status == 1)
        #expect(never.stderr.contains("4242 is not suspended"), "\(never.stderr)")

        let show = try fixture.run(["account", "show", "1001"])
        #expect(show.stdout.contains("not suspended (last suspended since"), "\(show.stdout)")

        let rule = try fixture.run(["account", "resume", "1002"])
        #expect(rule.stdout.contains("by rule international-rate"), "\(rule.stdout)")
    }

    @Test("account reset stores a counter-reset request the gateway reads, with a new revision")
    func reset() async throws {
        let fixture = try await Self.fixture()
        let gateway = try SQLiteStore(path: fixture.storePath)
        let before = try await gateway.accountsRevision()
        let output = try fixture.run(["account", "reset", "1001"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("requested a counter reset for 1001 at "), "\(output.stdout)")
        #expect(output.stderr.isEmpty)
        let requested = try #require(try await gateway.counterResets()["1001"])
        #expect(abs(requested.timeIntervalSinceNow) < 60)
        #expect(try await gateway.accountsRevision() > before)
        #expect(try fixture.run(["account", "show", "1001"]).stdout.contains("counter reset requested"))

        let unseen = try fixture.run(["account", "reset", "7777"])
        #expect(unseen.status == 0)
        #expect(unseen.stderr.contains("no counters are stored for 7777"), "\(unseen.stderr)")
    }

    @Test("an empty account name or one with control characters is refused with exit status 2",
          arguments: [["account", "show", ""], ["account", "resume", "10\u{1B}[2J01"], ["account", "reset", "  "],
                      ["account", "suspend", "a\nb", "--reason", "x"]])
    func badAccount(arguments: [String]) throws {
        let fixture = try StoreFixture()
        let output = try fixture.run(arguments)
        #expect(output.status == 2, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("account name"), "\(output.stderr)")
        #expect(!output.stderr.contains("\u{1B}"), "control characters are escaped")
        #expect(!FileManager.default.fileExists(atPath: fixture.storePath))
    }

    @Test("suspend without --reason or with an empty one is a usage error")
    func suspendNeedsReason() throws {
        let fixture = try StoreFixture()
        let missing = try fixture.run(["account", "suspend", "1001"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--reason"), "\(missing.stderr)")
        let empty = try fixture.run(["account", "suspend", "1001", "--reason", " "])
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("--reason"), "\(empty.stderr)")
    }
}
