import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import TollgateConfig
import TollgateFraud
import TollgateStore

@testable import TollgateGateway
import TollgateModel
import TollgateStoreSQLite

@Suite("CDR journal")
struct CallRecordJournalTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func record(_ id: String, answered: Bool = true) -> CallDetailRecord {
        let start = Date(timeIntervalSince1970: 1_790_000_000.125)
        return CallDetailRecord(callID: id, direction: .outbound, from: "201", to: "01632960123", destinationClass: answered ? "national" : nil,
                                account: "201", source: "127.0.0.20", trunk: answered ? "main" : nil, start: start,
                                answer: answered ? start + 1.5 : nil, end: start + 61.25, cause: answered ? 200 : nil,
                                disposition: answered ? .answered : .noAnswer, hangup: answered ? .caller : nil, rule: nil)
    }

    @Test("a line reads back as the same record, with absent values, empty strings, tabs, newlines and backslashes")
    func lineRoundTrip() throws {
        var odd = Self.record("a\tb\nc\\d\re@host")
        odd.from = ""
        odd.rule = ""
        odd.to = "\\t is not a tab"
        var anchored = Self.record("anchored")
        anchored.media = CallMediaSummary(codec: "PCMU/8000", fromCaller: .init(packets: 50, bytes: 8_600, lost: 1),
                                          fromCallee: .init(packets: 49, bytes: 8_428), encrypted: true, dropped: 3)
        anchored.identity = "verified-A"
        for record in [Self.record("plain"), Self.record("unanswered", answered: false), odd, anchored] {
            let line = CallRecordJournalLine.encode(record)
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(line.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") }, "one record, one line")
            let decoded = try #require(CallRecordJournalLine.decode(Array(line.dropLast())))
            #expect(decoded.callID == record.callID && decoded.from == record.from && decoded.to == record.to)
            #expect(decoded.rule == record.rule && decoded.trunk == record.trunk && decoded.destinationClass == record.destinationClass)
            #expect(decoded.answer?.timeIntervalSince1970 == record.answer?.timeIntervalSince1970)
            #expect(decoded.start.timeIntervalSince1970 == record.start.timeIntervalSince1970)
            #expect(decoded.end.timeIntervalSince1970 == record.end.timeIntervalSince1970)
            #expect(decoded.cause == record.cause && decoded.disposition == record.disposition && decoded.hangup == record.hangup)
            #expect(decoded.media == record.media && decoded.identity == record.identity)
        }
    }

    @Test("lines of the previous versions (without media, without identity) still read back")
    func previousVersion() throws {
        let line = "c1\tcall\toutbound\t201\t0163\t\t201\t127.0.0.20\t\t1\t\t2\t\tanswered\t\t"
        let record = try #require(CallRecordJournalLine.decode(Array(line.utf8)))
        #expect(record.callID == "call" && record.media == nil)
        let c2 = try #require(CallRecordJournalLine.decode(Array(("c2" + line.dropFirst(2) + "\t").utf8)))
        #expect(c2.callID == "call" && c2.media == nil && c2.identity == nil)
    }

    @Test("lines cut short, from another version or with bad values are not records", arguments: [
        "", "c1", "c2\tx", "c1\tcall\toutbound\t201", "c1\tcall\tsideways\t201\t0163\t\t201\t127.0.0.20\t\t1\t\t2\t\tanswered\t\t",
        "c1\tcall\toutbound\t201\t0163\t\t201\t127.0.0.20\t\tsoon\t\t2\t\tanswered\t\t",
        "c1\tcall\toutbound\t201\t0163\tnational\t201\t127.0.0.20\t\t1\t\t2\t\tanswered\t\t",
        "c1\tcall\\x\toutbound\t201\t0163\t\t201\t127.0.0.20\t\t1\t\t2\t\tanswered\t\t",
    ])
    func badLines(_ text: String) {
        #expect(CallRecordJournalLine.decode(Array(text.utf8)) == nil)
    }

    @Test("segments are read back in the order written; a torn last line is counted and skipped")
    func recoverSegments() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = folder.appendingPathComponent("tollgate.db-cdr-journal").path
        let journal = try CallRecordJournal(base: base)
        #expect(journal.append(CallRecordJournalLine.encode(Self.record("one"))))
        let first = try #require(try journal.rotate(lastSequence: 0))
        #expect(try journal.rotate(lastSequence: 0) == nil, "an empty segment is not kept")
        #expect(journal.append(CallRecordJournalLine.encode(Self.record("two"))))
        #expect(journal.append(Array(CallRecordJournalLine.encode(Self.record("three")).prefix(40))))
        journal.finish()
        let (records, unreadable, paths) = CallRecordJournal.recover(base: base)
        #expect(records.map(\.callID) == ["one", "two"])
        #expect(unreadable == 1)
        #expect(paths.count == 2 && paths.first == first.path)
        let next = try CallRecordJournal(base: base)
        #expect(next.append(CallRecordJournalLine.encode(Self.record("four"))))
        next.finish()
        #expect(CallRecordJournal.recover(base: base).records.map(\.callID) == ["one", "two", "four"], "a new journal starts after the old segments")
    }

    @Test("with a journal, a record is durable at once and reaches the store only with the next batch")
    func journaledRecordsWaitForTheBatch() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tollgate.db").path
        let store = try SQLiteStore(path: path)
        let base = path + "-cdr-journal"
        // A batch interval no test waits for: only finish() moves the records.
        let writer = CallRecordWriter(store: store, journal: try CallRecordJournal(base: base), lazyInterval: 600,
                                      logger: Logger(label: "test"))
        let running = Task { await writer.run() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        for index in 0..<20 { #expect(writer.durable(Self.record("call-\(index)"), on: loop) == nil, "no wait: the journal has it") }
        #expect(CallRecordJournal.recover(base: base).records.map(\.callID) == (0..<20).map { "call-\($0)" })
        #expect(try await store.cdrCount(CDRQuery()) == 0, "not stored yet")
        writer.finish()
        await running.value
        #expect(try await store.cdrs(CDRQuery(limit: 100, order: .oldestFirst)).map(\.callID) == (0..<20).map { "call-\($0)" })
        #expect(CallRecordJournal.segments(base: base).isEmpty, "stored records leave no journal behind")
    }

    @Test("the writer stores journaled records within its batch interval and removes their segments")
    func journaledRecordsAreStoredWithinTheInterval() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tollgate.db").path
        let store = try SQLiteStore(path: path)
        let base = path + "-cdr-journal"
        let writer = CallRecordWriter(store: store, journal: try CallRecordJournal(base: base), lazyInterval: 0.05,
                                      logger: Logger(label: "test"))
        let running = Task { await writer.run() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        for index in 0..<5 { #expect(writer.durable(Self.record("call-\(index)"), on: loop) == nil) }
        let deadline = Date().addingTimeInterval(10)
        // The open segment holds nothing once its records have gone to a closed one and been stored.
        while Date() < deadline, try await store.cdrCount(CDRQuery()) < 5 || !CallRecordJournal.recover(base: base).records.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await store.cdrCount(CDRQuery()) == 5, "stored without finish()")
        #expect(CallRecordJournal.recover(base: base).records.isEmpty, "their segment is removed")
        writer.finish()
        await running.value
    }

    @Test("records the store refused until shutdown stay in the journal, and the next start stores them once")
    func refusedRecordsSurviveInTheJournal() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tollgate.db").path
        let store = try FlakyStore(path: path, failures: 1000)
        let base = path + "-cdr-journal"
        let writer = CallRecordWriter(store: store, journal: try CallRecordJournal(base: base), logger: Logger(label: "test"))
        let running = Task { await writer.run() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        for index in 0..<3 { #expect(writer.durable(Self.record("kept-\(index)"), on: loop) == nil) }
        try await Task.sleep(for: .milliseconds(400))
        writer.finish()
        await running.value
        #expect(try await store.cdrCount(CDRQuery()) == 0)
        #expect(CallRecordJournal.recover(base: base).records.count == 3)

        // One of them reached the store after all (a crash between commit and removal).
        try await store.base.appendCDRs([Self.record("kept-0")])
        let gateway = Gateway(config: TollgateConfig(), logger: Logger(label: "test"))
        await gateway.storeJournaledRecords(base: base, in: store.base)
        let stored = try await store.base.cdrs(CDRQuery(limit: 10, order: .oldestFirst)).map(\.callID)
        #expect(stored.sorted() == ["kept-0", "kept-1", "kept-2"], "each record once")
        #expect(CallRecordJournal.segments(base: base).isEmpty)
    }

    @Test("a journal that cannot be written makes the caller wait for the store instead")
    func unwritableJournalFallsBack() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tollgate.db").path
        let store = try SQLiteStore(path: path)
        let journal = try CallRecordJournal(base: path + "-cdr-journal")
        journal.finish()
        let writer = CallRecordWriter(store: store, journal: journal, logger: Logger(label: "test"))
        let running = Task { await writer.run() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let future = try #require(writer.durable(Self.record("waits"), on: loop))
        try await future.get()
        #expect(try await store.cdrCount(CDRQuery()) == 1, "stored before the caller went on")
        writer.finish()
        await running.value
    }
}
