import Foundation
import Testing
import TollgateFraud
import TollgateStore
import TollgateModel
import TollgateStoreSQLite

@Suite("tollgate cdr")
struct CDRCommandTests {
    /// Three calls, 60, 30 and 5 minutes old, stored as the gateway would; the oldest has a caller
    /// name with a comma and a double quote, the newest leaves every optional field empty.
    static func fixture() async throws -> (StoreFixture, [CallDetailRecord]) {
        let fixture = try StoreFixture()
        let store = try SQLiteStore(path: fixture.storePath)
        let now = Date()
        let old = now.addingTimeInterval(-3600)
        let middle = now.addingTimeInterval(-1800)
        let recent = now.addingTimeInterval(-300)
        let records = [
            CallDetailRecord(callID: "call-1@pbx", direction: .outbound, from: "Smith, \"Bob\"", to: "0041446681800",
                             destinationClass: "international", account: "1001", source: "10.0.0.5", trunk: "carrier", start: old,
                             answer: old.addingTimeInterval(4), end: old.addingTimeInterval(64.5), cause: 200, disposition: .answered,
                             hangup: .caller),
            CallDetailRecord(callID: "call-2@pbx", direction: .outbound, from: "1002", to: "0900123456", destinationClass: "premium",
                             account: "1002", source: "10.0.0.6", trunk: "carrier", start: middle, end: middle.addingTimeInterval(0.25),
                             cause: 403, disposition: .rejected, hangup: .gateway, rule: "class-of-service"),
            CallDetailRecord(callID: "call-3", direction: .inbound, from: "", to: "1001", account: "carrier", source: "192.0.2.1",
                             start: recent, end: recent.addingTimeInterval(2), disposition: .noAnswer),
        ]
        try await store.appendCDRs(records)
        return (fixture, records)
    }

    /// Splits CSV text into records of fields, as RFC 4180 reads it.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            if quoted {
                if character == "\"" {
                    if index < text.endIndex, text[index] == "\"" {
                        field.append("\"")
                        index = text.index(after: index)
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { rows.append(row + [field]) }
        return rows
    }

    @Test("cdr list prints a table newest first with the stated columns, '-' for unknown values")
    func listTable() async throws {
        let (fixture, _) = try await Self.fixture()
        let output = try fixture.run(["cdr", "list"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(output.stdout)")
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true)
            == ["TIME", "DIRECTION", "ACCOUNT", "FROM", "TO", "CLASS", "TRUNK", "DISPOSITION", "CAUSE", "BILLSEC", "RULE"])
        #expect(lines[1].contains("inbound") && lines[1].contains("no-answer"))
        #expect(lines[2].contains("rejected") && lines[2].contains("class-of-service") && lines[2].contains("403"))
        #expect(lines[3].contains("Smith, \"Bob\"") && lines[3].contains("60.5") && lines[3].contains("international"))
        let classColumn = try #require(lines[0].range(of: "CLASS")).lowerBound.utf16Offset(in: lines[0])
        #expect(lines.dropFirst().map { String($0.dropFirst(classColumn).prefix(3)) } == ["-  ", "pre", "int"])
    }

    @Test("cdr list filters by --since, --until, --account and --call-id, and caps with --limit")
    func listFilters() async throws {
        let (fixture, _) = try await Self.fixture()
        func callIDs(_ arguments: [String]) throws -> [String] {
            let output = try fixture.run(["cdr", "list", "--json"] + arguments)
            #expect(output.status == 0, "\(arguments): \(output.stderr)")
            let records = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
            return records.compactMap { $0["call_id"] as? String }
        }
        #expect(try callIDs([]) == ["call-3", "call-2@pbx", "call-1@pbx"])
        #expect(try callIDs(["--since", "45m"]) == ["call-3", "call-2@pbx"])
        #expect(try callIDs(["--until", "10m"]) == ["call-2@pbx", "call-1@pbx"])
        #expect(try callIDs(["--since", "45m", "--until", "10m"]) == ["call-2@pbx"])
        #expect(try callIDs(["--account", "1001"]) == ["call-1@pbx"])
        #expect(try callIDs(["--call-id", "call-3"]) == ["call-3"])
        #expect(try callIDs(["--limit", "1"]) == ["call-3"])
        #expect(try callIDs(["--account", "nobody"]) == [])
        #expect(try fixture.run(["cdr", "list", "--account", "nobody"]).stdout == "no calls\n")
    }

    @Test("cdr list --json prints the export's objects, with null for unknown values")
    func listJSON() async throws {
        let (fixture, _) = try await Self.fixture()
        let output = try fixture.run(["cdr", "list", "--json", "--call-id", "call-3"])
        #expect(output.status == 0, "\(output.stderr)")
        let records = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        let record = try #require(records.first)
        #expect(record["answer"] is NSNull && record["cause"] is NSNull && record["trunk"] is NSNull && record["rule"] is NSNull)
        #expect(record["disposition"] as? String == "no-answer")
        #expect(record["duration"] as? Double == 2)
        #expect((record["start"] as? String)?.hasSuffix("Z") == true)
    }

    @Test("cdr export writes CSV with the exact header, RFC 4180 quoting and empty fields for unknown values")
    func exportCSV() async throws {
        let (fixture, records) = try await Self.fixture()
        let output = try fixture.run(["cdr", "export", "--format", "csv"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "call_id,direction,from,to,class,account,source,trunk,start,answer,end,duration,billsec,disposition,cause,hangup,rule,media,identity")
        #expect(lines.count == 5 && lines.last == "", "header, three lines, each ending in LF: \(output.stdout)")
        #expect(lines[1].hasPrefix("call-1@pbx,outbound,\"Smith, \"\"Bob\"\"\",0041446681800,international,1001,10.0.0.5,carrier,"))
        #expect(lines[1].hasSuffix(",64.5,60.5,answered,200,caller,,,"), "\(lines[1])")
        #expect(lines[3].hasPrefix("call-3,inbound,,1001,,carrier,192.0.2.1,,"), "\(lines[3])")
        #expect(lines[3].hasSuffix(",2,0,no-answer,,,,,"), "\(lines[3])")

        let rows = Self.parseCSV(output.stdout)
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0.count == 19 })
        #expect(rows[1][2] == "Smith, \"Bob\"")
        #expect(rows[1][8] == TollgateCDRFormat.timestamp(records[0].start))
        #expect(rows[1][9] == TollgateCDRFormat.timestamp(records[0].answer!))
        #expect(rows[3][9] == "", "no answer time")
        #expect(rows.dropFirst().map { $0[0] } == ["call-1@pbx", "call-2@pbx", "call-3"], "in the order stored")
        let iso = try #require(rows[2][8].wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/))
        #expect(!iso.output.isEmpty)
    }

    @Test("cdr export --format json writes one array with one object per line, and --output writes a file")
    func exportJSON() async throws {
        let (fixture, _) = try await Self.fixture()
        let output = try fixture.run(["cdr", "export", "--format", "json", "--account", "1001"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("[\n{") && output.stdout.hasSuffix("}\n]\n"), "\(output.stdout)")
        let records = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        #expect(records.count == 1)
        #expect(records.first?["from"] as? String == "Smith, \"Bob\"")
        #expect(records.first?["billsec"] as? Double == 60.5)
        #expect(records.first?["rule"] is NSNull)

        let file = fixture.folder.appendingPathComponent("calls.json").path
        let written = try fixture.run(["cdr", "export", "--format", "json", "--output", file])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout == "exported 3 calls to \(file)\n")
        let all = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]])
        #expect(all.compactMap { $0["call_id"] as? String } == ["call-1@pbx", "call-2@pbx", "call-3"])
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 5, "one object per line between the brackets")

        let empty = try fixture.run(["cdr", "export", "--format", "json", "--account", "nobody"])
        #expect(empty.stdout == "[]\n")
        let emptyCSV = try fixture.run(["cdr", "export", "--account", "nobody"])
        #expect(emptyCSV.stdout == TollgateCDRFormat.header + "\n")
    }

    @Test("cdr export reads in pages and writes every record once, in the order stored")
    func exportPages() async throws {
        let fixture = try StoreFixture()
        let store = try SQLiteStore(path: fixture.storePath)
        let start = Date(timeIntervalSince1970: 1_795_551_303)
        let records = (0..<2500).map { index in
            CallDetailRecord(callID: "call-\(index)", direction: .outbound, from: "1001", to: "0\(index)", account: "1001",
                             source: "10.0.0.5", start: start.addingTimeInterval(Double(index)), end: start.addingTimeInterval(Double(index) + 1),
                             disposition: .failed)
        }
        try await store.appendCDRs(records)
        let file = fixture.folder.appendingPathComponent("calls.csv").path
        let output = try fixture.run(["cdr", "export", "--output", file, "--page-size", "300"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "exported 2500 calls to \(file)\n")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2501)
        #expect(lines.dropFirst().map { line in String(line.prefix { $0 != "," }) } == records.map(\.callID))
    }

    @Test("a bad --since, --until before --since, an empty --account or an unknown --format is refused",
          arguments: [
            (["cdr", "list", "--since", "yesterday"], "--since:"), (["cdr", "list", "--since", "1h", "--until", "2h"], "--until"),
            (["cdr", "export", "--account", ""], "--account:"), (["cdr", "export", "--until", "soon"], "--until:"),
          ])
    func badArguments(arguments: [String], message: String) throws {
        let fixture = try StoreFixture()
        let output = try fixture.run(arguments)
        #expect(output.status == 2, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains(message), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.storePath))
    }

    @Test("an unknown --format or a --limit of 0 is a usage error")
    func usageErrors() throws {
        let fixture = try StoreFixture()
        let format = try fixture.run(["cdr", "export", "--format", "xml"])
        #expect(format.status != 0)
        #expect(format.stderr.contains("csv") && format.stderr.contains("json"), "\(format.stderr)")
        let limit = try fixture.run(["cdr", "list", "--limit", "0"])
        #expect(limit.status != 0)
        #expect(limit.stderr.contains("--limit"), "\(limit.stderr)")
    }
}
