import Foundation
import SIPCore
import Testing
import TollgateModel

@testable import TollgateGateway

@Suite("Calls in progress survive the gateway's death")
struct CallProgressJournalTests {
    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("calls-\(UUID().uuidString)").path
    }

    static func record(_ callID: String, start: TimeInterval) -> CallDetailRecord {
        CallDetailRecord(callID: callID, direction: .outbound, from: "201", to: "0037190000001", destinationClass: "premium", account: "201",
                         source: "127.0.0.20", start: Date(timeIntervalSince1970: start), end: Date(timeIntervalSince1970: start),
                         disposition: .failed)
    }

    @Test("calls that began and never ended come back as interrupted, ending at the last heartbeat; ended calls do not come back")
    func interruptedCalls() throws {
        let path = Self.path()
        let journal = try CallProgressJournal(path: path)
        let long = CallKey(callID: "long-1", callerTag: "tag\twith tab")
        let ringing = CallKey(callID: "ringing-1", callerTag: "r1")
        let done = CallKey(callID: "done-1", callerTag: "d1")
        journal.began(long, record: Self.record("long-1", start: 1_000))
        journal.began(done, record: Self.record("done-1", start: 1_001))
        journal.began(ringing, record: Self.record("ringing-1", start: 1_002))
        journal.answered(long, at: Date(timeIntervalSince1970: 1_005))
        journal.answered(done, at: Date(timeIntervalSince1970: 1_006))
        journal.ended(done)
        journal.housekeeping(at: Date(timeIntervalSince1970: 1_060))
        journal.housekeeping(at: Date(timeIntervalSince1970: 1_062))  // within the interval: no new heartbeat
        journal.housekeeping(at: Date(timeIntervalSince1970: 1_600))
        #expect(journal.count == 2)

        let (records, unreadable) = CallProgressJournal.recover(path: path)
        #expect(unreadable == 0)
        #expect(records.map(\.callID) == ["long-1", "ringing-1"])
        let interrupted = try #require(records.first)
        #expect(interrupted.disposition == .interrupted)
        #expect(interrupted.answer == Date(timeIntervalSince1970: 1_005))
        #expect(interrupted.end == Date(timeIntervalSince1970: 1_600), "the last moment the gateway saw it alive")
        #expect(interrupted.destinationClass == "premium" && interrupted.account == "201" && interrupted.to == "0037190000001")
        #expect(interrupted.billableSeconds == 595)
        #expect(records[1].answer == nil && records[1].disposition == .interrupted)
    }

    @Test("a line cut short by the crash, or garbage, is counted and skipped; the rest still reads")
    func damagedLines() throws {
        let path = Self.path()
        let journal = try CallProgressJournal(path: path)
        journal.began(CallKey(callID: "a", callerTag: "1"), record: Self.record("a", start: 2_000))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("x\tjunk\nh\tnot-a-time\ns\t1\tc2\ttruncated".utf8))
        try handle.close()
        let (records, unreadable) = CallProgressJournal.recover(path: path)
        #expect(records.map(\.callID) == ["a"])
        #expect(unreadable == 3)
        #expect(CallProgressJournal.recover(path: Self.path()).records.isEmpty, "no file: nothing to recover")
    }

    @Test("the file is rewritten with only the live calls once ended ones fill it, and still recovers them")
    func compaction() throws {
        let path = Self.path()
        let journal = try CallProgressJournal(path: path)
        let kept = CallKey(callID: "kept", callerTag: "k")
        journal.began(kept, record: Self.record("kept", start: 3_000))
        journal.answered(kept, at: Date(timeIntervalSince1970: 3_001))
        for index in 0..<4_000 {
            let key = CallKey(callID: "short-\(index)", callerTag: "t")
            journal.began(key, record: Self.record(key.callID, start: 3_002))
            journal.ended(key)
        }
        journal.housekeeping(at: Date(timeIntervalSince1970: 3_100))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 2_000, "only the live call and a heartbeat are left: \(size) bytes")
        let (records, _) = CallProgressJournal.recover(path: path)
        #expect(records.map(\.callID) == ["kept"])
        #expect(records.first?.answer == Date(timeIntervalSince1970: 3_001) && records.first?.end == Date(timeIntervalSince1970: 3_100))
    }

    @Test("a disk that refuses the file is one journal event, not one per call", .enabled(if: FileManager.default.isWritableFile(atPath: "/dev/full")))
    func refusedWrites() throws {
        let journal = try CallProgressJournal(path: "/dev/full")
        let harness = try ProxyHarness()
        let recorder = ActivityRecorder(harness.proxy)
        let hook = CallProgressHook(journal: journal, events: harness.proxy.events)
        for index in 0..<3 {
            var record = Self.record("full-\(index)", start: 4_000)
            var start = CallStart(key: CallKey(callID: record.callID, callerTag: "t"), request: SIPMessage(method: .invite, uri: "sip:x@y", headers: []),
                                  source: "127.0.0.20", zone: .internal, trunk: nil, towardsTrunk: true, time: record.start)
            _ = hook.callBegins(&start, record: &record)
        }
        #expect(journal.failing)
        let events = recorder.events.filter { $0.kind == .journal }
        #expect(events.count == 1, "\(events)")
        #expect(events.first?.detail.contains("/dev/full") == true)
    }

    @Test("on the event loop, a turn's lines wait until its messages are sent, then go to the file together")
    func linesOfATurnWaitForTheTurnsEnd() throws {
        let path = Self.path()
        let journal = try CallProgressJournal(path: path)
        let harness = try ProxyHarness()
        let hook = CallProgressHook(journal: journal, events: harness.proxy.events, eventLoop: harness.loop)
        for index in 0..<3 {
            var record = Self.record("turn-\(index)", start: 5_000)
            var start = CallStart(key: CallKey(callID: record.callID, callerTag: "t"), request: SIPMessage(method: .invite, uri: "sip:x@y", headers: []),
                                  source: "127.0.0.20", zone: .internal, trunk: nil, towardsTrunk: true, time: record.start)
            _ = hook.callBegins(&start, record: &record)
        }
        hook.callAnswered(CallKey(callID: "turn-0", callerTag: "t"), at: Date(timeIntervalSince1970: 5_001))
        #expect(CallProgressJournal.recover(path: path).records.isEmpty, "nothing written while the turn goes on")
        harness.loop.run()
        let (records, unreadable) = CallProgressJournal.recover(path: path)
        #expect(unreadable == 0)
        #expect(records.map(\.callID) == ["turn-0", "turn-1", "turn-2"])
        #expect(records.first?.answer == Date(timeIntervalSince1970: 5_001))
    }

    @Test("a journal dropped with lines still waiting writes them first")
    func waitingLinesAreWrittenAtTheEnd() throws {
        let path = Self.path()
        do {
            let journal = try CallProgressJournal(path: path)
            journal.deferred = true
            journal.began(CallKey(callID: "last", callerTag: "l"), record: Self.record("last", start: 6_000))
            #expect(journal.hasPending)
        }
        #expect(CallProgressJournal.recover(path: path).records.map(\.callID) == ["last"])
    }

    @Test("on the event loop, a disk that refuses the turn's lines is still one journal event", .enabled(if: FileManager.default.isWritableFile(atPath: "/dev/full")))
    func refusedDeferredWrites() throws {
        let journal = try CallProgressJournal(path: "/dev/full")
        let harness = try ProxyHarness()
        let recorder = ActivityRecorder(harness.proxy)
        let hook = CallProgressHook(journal: journal, events: harness.proxy.events, eventLoop: harness.loop)
        for turn in 0..<2 {
            for index in 0..<3 {
                var record = Self.record("full-\(turn)-\(index)", start: 7_000)
                var start = CallStart(key: CallKey(callID: record.callID, callerTag: "t"), request: SIPMessage(method: .invite, uri: "sip:x@y", headers: []),
                                      source: "127.0.0.20", zone: .internal, trunk: nil, towardsTrunk: true, time: record.start)
                _ = hook.callBegins(&start, record: &record)
            }
            if turn == 0 { #expect(!journal.failing, "nothing written before the turn ends") }
            harness.loop.run()
            #expect(journal.failing)
        }
        #expect(recorder.events.filter { $0.kind == .journal }.count == 1)
    }
}
