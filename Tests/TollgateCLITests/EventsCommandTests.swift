import Foundation
import Testing
import TollgateStore
import TollgateModel
import TollgateStoreSQLite

@Suite("tollgate events")
struct EventsCommandTests {
    /// Events an hour, 20 minutes and 1 minute old, written through the store as the gateway would.
    static func fixture() async throws -> StoreFixture {
        let fixture = try StoreFixture()
        let store = try SQLiteStore(path: fixture.storePath)
        let now = Date()
        try await store.append([
            SecurityEvent(time: now.addingTimeInterval(-3600), kind: "scanner", source: "192.0.2.1", rule: "scanner-fingerprint",
                          detail: "User-Agent friendly-scanner", severity: .warning),
            SecurityEvent(time: now.addingTimeInterval(-1200), kind: "rate-limit", source: "2001:db8::7", rule: "register-rate",
                          detail: "40 REGISTER/s", severity: .notice),
            SecurityEvent(time: now.addingTimeInterval(-60), kind: "ban", source: "192.0.2.1", rule: "auth-failures",
                          detail: "banned for 1h", severity: .critical),
        ])
        return fixture
    }

    @Test("the table lists every event newest first with aligned columns")
    func table() async throws {
        let fixture = try await Self.fixture()
        let output = try fixture.run(["events"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(output.stdout)")
        #expect(lines[0].hasPrefix("TIME"))
        #expect(lines[1].contains("ban") && lines[1].contains("critical"))
        #expect(lines[2].contains("rate-limit"))
        #expect(lines[3].contains("User-Agent friendly-scanner"))
        let kindColumn = try #require(lines[0].range(of: "KIND")).lowerBound.utf16Offset(in: lines[0])
        #expect(lines.dropFirst().map { String($0.dropFirst(kindColumn).prefix(4)) } == ["ban ", "rate", "scan"])
    }

    @Test("--since as a duration or an ISO-8601 time, --kind, --source and --limit filter, and combine")
    func filters() async throws {
        let fixture = try await Self.fixture()
        func sources(_ arguments: [String]) throws -> [String] {
            let output = try fixture.run(["events", "--json"] + arguments)
            #expect(output.status == 0, "\(arguments): \(output.stderr)")
            let events = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
            return events.compactMap { $0["kind"] as? String }
        }
        #expect(try sources([]) == ["ban", "rate-limit", "scanner"])
        #expect(try sources(["--since", "30m"]) == ["ban", "rate-limit"])
        #expect(try sources(["--since", "2m"]) == ["ban"])
        let halfHourAgo = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-1800))
        #expect(try sources(["--since", halfHourAgo]) == ["ban", "rate-limit"])
        #expect(try sources(["--kind", "scanner"]) == ["scanner"])
        #expect(try sources(["--source", "192.0.2.1"]) == ["ban", "scanner"])
        #expect(try sources(["--source", "[2001:DB8::7]"]) == ["rate-limit"], "the address is canonicalised")
        #expect(try sources(["--source", "192.0.2.1", "--since", "30m"]) == ["ban"])
        #expect(try sources(["--source", "192.0.2.1", "--kind", "rate-limit"]) == [])
        #expect(try sources(["--limit", "2"]) == ["ban", "rate-limit"])
    }

    @Test("--json prints objects with an ISO-8601 time, kind, source, rule, detail and severity")
    func json() async throws {
        let fixture = try await Self.fixture()
        let output = try fixture.run(["events", "--json", "--kind", "ban"])
        #expect(output.status == 0, "\(output.stderr)")
        let events = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        let event = try #require(events.first)
        #expect(Set(event.keys) == ["time", "kind", "source", "rule", "detail", "severity"])
        #expect(event["source"] as? String == "192.0.2.1")
        #expect(event["rule"] as? String == "auth-failures")
        #expect(event["detail"] as? String == "banned for 1h")
        #expect(event["severity"] as? String == "critical")
        let time = try #require(event["time"] as? String)
        let parsed = try #require(ISO8601DateFormatter().date(from: time))
        #expect(abs(parsed.timeIntervalSinceNow + 60) < 30)
    }

    @Test("no matching events prints 'no events', or [] with --json")
    func none() async throws {
        let fixture = try await Self.fixture()
        #expect(try fixture.run(["events", "--kind", "trunk-down"]).stdout == "no events\n")
        let json = try fixture.run(["events", "--kind", "trunk-down", "--json"])
        #expect(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any] != nil)
    }

    @Test("a bad --since, --source or --limit is refused before the store is opened")
    func badInput() throws {
        let fixture = try StoreFixture()
        let since = try fixture.run(["events", "--since", "yesterday"])
        #expect(since.status == 2)
        #expect(since.stderr.contains("--since:"), "\(since.stderr)")
        let source = try fixture.run(["events", "--source", "192.0.2.0/24"])
        #expect(source.status == 2)
        #expect(source.stderr.contains("is not an IP address"))
        let limit = try fixture.run(["events", "--limit", "0"])
        #expect(limit.status != 0)
        #expect(limit.stderr.contains("--limit"))
        #expect(!FileManager.default.fileExists(atPath: fixture.storePath))
    }
}

@Suite("tollgate events with hostile text")
struct EventsHostileTextTests {
    @Test("a detail with a newline or a terminal escape is printed escaped in the table and intact in JSON")
    func escaped() async throws {
        let fixture = try StoreFixture()
        let store = try SQLiteStore(path: fixture.storePath)
        let detail = "User-Agent: evil\n2099-01-01T00:00:00Z  info  fake\u{1B}[2J"
        try await store.append([SecurityEvent(kind: "scanner", source: "192.0.2.1", rule: "scanner-fingerprint", detail: detail)])
        let table = try fixture.run(["events"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.split(separator: "\n").count == 2, "\(table.stdout)")
        #expect(table.stdout.contains("evil\\x0A2099"))
        #expect(table.stdout.contains("fake\\x1B[2J"))
        #expect(!table.stdout.contains("\u{1B}"))
        let json = try fixture.run(["events", "--json"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(events.first?["detail"] as? String == detail)
    }
}
