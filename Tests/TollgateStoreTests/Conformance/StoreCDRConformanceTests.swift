import Foundation
import Testing
import TollgateStore
import TollgateModel

@Suite("Store conformance: call detail records")
struct StoreCDRConformanceTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// A call that started `offset` seconds after `now`, failed, with every optional field empty.
    static func call(_ callID: String, at offset: TimeInterval, account: String = "1001") -> CallDetailRecord {
        CallDetailRecord(callID: callID, direction: .outbound, from: account, to: "441632960001", account: account, source: "10.0.0.5",
                         start: now.addingTimeInterval(offset), end: now.addingTimeInterval(offset + 3), disposition: .failed)
    }

    @Test("calls are found by a number they came from or went to, and paged by cursor newest first", arguments: StoreBackend.all)
    func numberAndCursor(backend: StoreBackend) async throws {
        let store = try await backend.make()
        var records = (0..<7).map { Self.call("c\($0)", at: Double($0 / 2)) }
        records[1].to = "447700900123"
        records[4].from = "447700900123"
        try await store.appendCDRs(records)
        #expect(Set(try await store.cdrs(CDRQuery(number: "447700900123")).map(\.callID)) == ["c1", "c4"])
        var seen: [String] = []
        var cursor: PageCursor?
        while true {
            let page = try await store.cdrs(CDRQuery(limit: 2, before: cursor))
            guard let last = page.last, let id = last.id else { break }
            seen += page.map(\.callID)
            cursor = PageCursor(time: last.start, id: id)
        }
        #expect(seen == ["c6", "c5", "c4", "c3", "c2", "c1", "c0"])
    }

    /// `records` as the store gives them back: with the ids it read.
    static func stored(_ records: [CallDetailRecord], ids: [Int64?]) -> [CallDetailRecord] {
        zip(records, ids).map { record, id in
            var record = record
            record.id = id
            return record
        }
    }

    @Test("appendCDRs stores every field, the optional ones empty and filled, and gives each record an id in order", arguments: StoreBackend.all)
    func roundTrip(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let full = CallDetailRecord(
            id: 999, callID: "a84b4c76e66710@pbx.example.com", direction: .inbound, from: "Alice, \"the boss\"", to: "1001",
            destinationClass: "internal", account: "carrier", source: "2001:db8::7", trunk: "carrier",
            start: Self.now.addingTimeInterval(0.125), answer: Self.now.addingTimeInterval(4.5), end: Self.now.addingTimeInterval(64.75),
            cause: 200, disposition: .answered, hangup: .callee, rule: "after-hours",
            media: CallMediaSummary(codec: "PCMA/8000", fromCaller: .init(packets: 3_000, bytes: 516_000, lost: 2),
                                    fromCallee: .init(packets: 2_999, bytes: 515_828, lost: 0), encrypted: true, dropped: 7),
            identity: "failed:bad-signature;spoofed=own-number")
        let empty = Self.call("c2", at: 10)
        try await store.appendCDRs([full, empty])

        let records = try await store.cdrs(CDRQuery(order: .oldestFirst))
        #expect(records.count == 2)
        let ids = records.map(\.id)
        #expect(ids.allSatisfy { $0 != nil })
        #expect(ids[0]! < ids[1]!, "stored in order")
        #expect(ids[0] != 999, "the store gives the id")
        #expect(records == Self.stored([full, empty], ids: ids))
        #expect(records[0].duration == 64.625)
        #expect(records[0].billableSeconds == 60.25)
        #expect(records[1].answer == nil && records[1].cause == nil && records[1].hangup == nil && records[1].rule == nil)
        #expect(records[1].trunk == nil && records[1].destinationClass == nil && records[1].media == nil)
        #expect(records[0].media?.fromCaller.bytes == 516_000 && records[0].media?.encrypted == true)
        #expect(records[0].identity == "failed:bad-signature;spoofed=own-number" && records[1].identity == nil)
    }

    @Test("every disposition, direction and hangup side round-trips", arguments: StoreBackend.all, CallDetailRecord.Disposition.allCases)
    func enumerations(backend: StoreBackend, disposition: CallDetailRecord.Disposition) async throws {
        let store = try await backend.make()
        var records: [CallDetailRecord] = []
        for (index, side) in CallDetailRecord.HangupSide.allCases.enumerated() {
            var record = Self.call("c\(index)", at: Double(index))
            record.disposition = disposition
            record.hangup = side
            record.direction = index % 2 == 0 ? .inbound : .outbound
            records.append(record)
        }
        try await store.appendCDRs(records)
        let stored = try await store.cdrs(CDRQuery(order: .oldestFirst))
        #expect(stored == Self.stored(records, ids: stored.map(\.id)))
    }

    @Test("appending nothing is allowed and stores nothing", arguments: StoreBackend.all)
    func appendNothing(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.appendCDRs([])
        #expect(try await store.cdrCount(CDRQuery()) == 0)
    }

    @Test("cdrs lists newest first by default, oldest first on request, calls with the same start by storage order", arguments: StoreBackend.all)
    func ordering(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.appendCDRs([Self.call("b", at: 20), Self.call("a", at: 10), Self.call("c", at: 30), Self.call("c2", at: 30)])
        #expect(try await store.cdrs(CDRQuery()).map(\.callID) == ["c2", "c", "b", "a"])
        #expect(try await store.cdrs(CDRQuery(order: .oldestFirst)).map(\.callID) == ["a", "b", "c", "c2"])
        #expect(try await store.cdrs(CDRQuery(limit: 2)).map(\.callID) == ["c2", "c"])
        #expect(try await store.cdrs(CDRQuery(limit: 0)).isEmpty)
    }

    @Test("since (inclusive), until (exclusive), account and callID filter and combine, and cdrCount counts the same", arguments: StoreBackend.all)
    func filters(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.appendCDRs([
            Self.call("a", at: 0, account: "1001"), Self.call("b", at: 60, account: "1002"), Self.call("c", at: 120, account: "1001"),
            Self.call("d", at: 180, account: "1001"), Self.call("a", at: 240, account: "1002"),
        ])
        func ids(_ query: CDRQuery) async throws -> [String] {
            let listed = try await store.cdrs(query).map(\.callID)
            #expect(try await store.cdrCount(query) == listed.count, "\(query)")
            return listed
        }
        #expect(try await ids(CDRQuery()) == ["a", "d", "c", "b", "a"])
        #expect(try await ids(CDRQuery(since: Self.now.addingTimeInterval(120))) == ["a", "d", "c"])
        #expect(try await ids(CDRQuery(until: Self.now.addingTimeInterval(120))) == ["b", "a"])
        #expect(try await ids(CDRQuery(since: Self.now.addingTimeInterval(60), until: Self.now.addingTimeInterval(181))) == ["d", "c", "b"])
        #expect(try await ids(CDRQuery(account: "1001")) == ["d", "c", "a"])
        #expect(try await ids(CDRQuery(since: Self.now.addingTimeInterval(60), account: "1001")) == ["d", "c"])
        #expect(try await ids(CDRQuery(callID: "a")).count == 2)
        #expect(try await ids(CDRQuery(account: "1002", callID: "a")) == ["a"])
        #expect(try await ids(CDRQuery(account: "9999")) == [])
        #expect(try await store.cdrCount(CDRQuery(limit: 1)) == 5, "the limit does not apply to counting")
    }

    @Test("keyset pages over 2,500 records return each exactly once, in storage order, and end with a short page", arguments: StoreBackend.all)
    func keysetPagination(backend: StoreBackend) async throws {
        let store = try await backend.make()
        var batch: [CallDetailRecord] = []
        for index in 0..<2500 {
            // Starts out of order, so storage order and start order differ.
            batch.append(Self.call("call-\(index)", at: Double((index * 7919) % 2500), account: index % 5 == 0 ? "1005" : "1001"))
        }
        try await store.appendCDRs(batch)
        #expect(try await store.cdrCount(CDRQuery()) == 2500)

        var seen: [String] = []
        var pages = 0
        var last: Int64 = 0
        while true {
            let page = try await store.cdrs(after: last, matching: CDRQuery(limit: 1, order: .newestFirst), limit: 1000)
            pages += 1
            seen += page.map(\.callID)
            if page.count < 1000 { break }
            last = try #require(page.last?.id)
        }
        #expect(pages == 3)
        #expect(seen == batch.map(\.callID), "every record once, ascending id; the query's limit and order are ignored")

        var filtered: [CallDetailRecord] = []
        last = 0
        let query = CDRQuery(since: Self.now.addingTimeInterval(1000), account: "1005")
        while true {
            let page = try await store.cdrs(after: last, matching: query, limit: 64)
            filtered += page
            guard page.count == 64, let id = page.last?.id else { break }
            last = id
        }
        let expected = batch.filter { $0.account == "1005" && $0.start >= Self.now.addingTimeInterval(1000) }.map(\.callID)
        #expect(filtered.map(\.callID) == expected)
        #expect(try await store.cdrCount(query) == expected.count)
        #expect(try await store.cdrs(after: Int64.max, matching: CDRQuery(), limit: 10).isEmpty)
        #expect(try await store.cdrs(after: 0, matching: CDRQuery(), limit: 0).isEmpty)
    }

    @Test("a NUL in a field is stored as U+2400, and nothing after it is lost", arguments: StoreBackend.all)
    func nulCharacter(backend: StoreBackend) async throws {
        let store = try await backend.make()
        var record = Self.call("c\u{0}1", at: 0)
        record.from = "100\u{0}1"
        try await store.appendCDRs([record])
        let stored = try #require(try await store.cdrs(CDRQuery()).first)
        #expect(stored.callID == "c\u{2400}1")
        #expect(stored.from == "100\u{2400}1")
    }

    @Test("a record stored again (a journal replayed after a crash, a batch retried after a lost answer) is kept once", arguments: StoreBackend.all)
    func replayedRecordsOnce(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let first = [Self.call("a", at: 0), Self.call("b", at: 60)]
        try await store.appendCDRs(first)
        try await store.appendCDRs(first + [Self.call("c", at: 120), Self.call("c", at: 120)])
        #expect(try await store.cdrs(CDRQuery(order: .oldestFirst)).map(\.callID) == ["a", "b", "c"])
        #expect(try await store.cdrCount(CDRQuery()) == 3)
        try await store.appendCDRs([Self.call("a", at: 30)])
        #expect(try await store.cdrCount(CDRQuery(callID: "a")) == 2, "the same Call-ID at another start is another record")
    }
}
