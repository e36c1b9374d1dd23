import Foundation
import Logging
import Testing
import TollgateStore

@testable import TollgateGateway
import TollgateModel

@Suite("Store writer: what the store refuses is journaled and written once")
struct StoreWriterTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-store-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func event(_ number: Int) -> GatewayEvent {
        GatewayEvent(kind: .malformed, source: "192.0.2.\(number)", rule: "parse", detail: "event \(number)",
                     time: Date(timeIntervalSince1970: 1_790_000_000 + Double(number)))
    }

    /// A writer on `store` reading a new stream, running until the returned task is cancelled.
    static func start(_ store: FlakyStore, journal: String) -> (GatewayActivityStream, Task<Void, Never>) {
        let stream = GatewayActivityStream()
        let writer = StoreWriter(store: store, subscription: stream.subscribe("store", where: StoreWriter.wants),
                                 logger: Logger(label: "test"), journal: journal)
        return (stream, Task { await writer.run() })
    }

    /// Waits (up to 20 s) until `condition` holds.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A store on a new file and where its writer's journal goes.
    static func store() throws -> (store: FlakyStore, path: String, journal: String) {
        let path = try folder().appendingPathComponent("tollgate.db").path
        return (try FlakyStore(path: path, failures: 0), path, path + "-cdr-journal-events")
    }

    static func lines(_ path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        return data.split(separator: UInt8(ascii: "\n")).count
    }

    @Test("events and a ban the store refuses are in the journal at once; a gateway started after a crash stores each exactly once")
    func journaledAcrossACrash() async throws {
        let (away, path, journal) = try Self.store()
        away.eventFailures.withLockedValue { $0 = 1_000 }
        away.banFailures.withLockedValue { $0 = 1_000 }
        let (stream, task) = Self.start(away, journal: journal)
        for number in 1...3 { stream.publish(.event(Self.event(number))) }
        let ban = Ban(source: "192.0.2.66", since: Date(timeIntervalSince1970: 1_790_000_000), until: Date(timeIntervalSince1970: 1_790_003_600),
                      rule: "scanner-fingerprint", reason: "SIPVicious")
        stream.publish(.ban(ban))
        // The journal holds all four while the store is still away: a `kill -9` now loses none.
        #expect(try await Self.eventually { Self.lines(journal) == 4 })
        stream.publish(.event(Self.event(4)))
        #expect(try await Self.eventually { Self.lines(journal) == 5 }, "a later refusal is appended")
        task.cancel()
        await task.value
        #expect(try await away.base.eventCount(EventQuery()) == 0)
        #expect(Self.lines(journal) == 5)

        // The next start, with the store back.
        let back = try FlakyStore(path: path, failures: 0)
        let (_, next) = Self.start(back, journal: journal)
        #expect(try await Self.eventually { try await back.base.eventCount(EventQuery()) == 4 })
        #expect(try await Self.eventually { !FileManager.default.fileExists(atPath: journal) }, "nothing owed: the journal is removed")
        next.cancel()
        await next.value
        let stored = try await back.base.events(EventQuery())
        #expect(stored.map(\.detail).sorted() == ["event 1", "event 2", "event 3", "event 4"])
        #expect(try await back.base.ban(source: "192.0.2.66")?.reason == "SIPVicious")
    }

    @Test("a batch whose commit answer was lost is written again and stored once")
    func lostAnswerStoresOnce() async throws {
        let (store, _, journal) = try Self.store()
        store.lostEventAnswers.withLockedValue { $0 = 2 }
        let (stream, task) = Self.start(store, journal: journal)
        for number in 1...5 { stream.publish(.event(Self.event(number))) }
        #expect(try await Self.eventually { store.lostEventAnswers.withLockedValue { $0 } == 0 })
        #expect(try await Self.eventually { !FileManager.default.fileExists(atPath: journal) })
        task.cancel()
        await task.value
        #expect(try await store.base.eventCount(EventQuery()) == 5)
    }

    @Test("the journal holds just what is owed: a ban stored while events are still refused leaves it")
    func journalFollowsWhatIsOwed() async throws {
        let (store, _, journal) = try Self.store()
        store.eventFailures.withLockedValue { $0 = 1_000 }
        store.banFailures.withLockedValue { $0 = 1 }
        let (stream, task) = Self.start(store, journal: journal)
        stream.publish(.event(Self.event(1)))
        stream.publish(.ban(Ban(source: "192.0.2.66", since: Date(), until: Date().addingTimeInterval(3600), rule: "r", reason: "scan")))
        #expect(try await Self.eventually { try await store.base.ban(source: "192.0.2.66") != nil })
        #expect(try await Self.eventually { Self.lines(journal) == 1 })
        let owed = StoreWriteJournal(path: journal).recover().writes
        #expect(owed.count == 1 && owed.allSatisfy(\.isEvent))
        store.eventFailures.withLockedValue { $0 = 0 }
        #expect(try await Self.eventually { !FileManager.default.fileExists(atPath: journal) })
        task.cancel()
        await task.value
        #expect(try await store.base.eventCount(EventQuery()) == 1)
    }

    @Test("a journal line cut short by a crash is skipped; the whole lines are written")
    func cutLineSkipped() async throws {
        let (store, _, path) = try Self.store()
        let journal = StoreWriteJournal(path: path)
        try journal.append([.event(SecurityEvent(kind: "scanner", source: "192.0.2.1", rule: "r", detail: "whole"))])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"event\":{\"_0\":{\"kind\":\"sca".utf8))
        try handle.close()
        #expect(journal.recover().writes.count == 1 && journal.recover().unreadable == 1)
        let (_, task) = Self.start(store, journal: journal.path)
        #expect(try await Self.eventually { try await store.base.eventCount(EventQuery()) == 1 })
        task.cancel()
        await task.value
        #expect(try await store.base.events(EventQuery()).map(\.detail) == ["whole"])
    }

    @Test("a journal that cannot be written leaves what is owed in memory: nothing is lost while the gateway runs")
    func unwritableJournalKeepsInMemory() async throws {
        let (store, _, _) = try Self.store()
        let journal = "/nonexistent-tollgate-folder/tollgate.db-cdr-journal-events"
        store.eventFailures.withLockedValue { $0 = 2 }
        let (stream, task) = Self.start(store, journal: journal)
        for number in 1...3 { stream.publish(.event(Self.event(number))) }
        #expect(try await Self.eventually { try await store.base.eventCount(EventQuery()) == 3 })
        stream.publish(.event(Self.event(4)))
        #expect(try await Self.eventually { try await store.base.eventCount(EventQuery()) == 4 })
        task.cancel()
        await task.value
        #expect(!FileManager.default.fileExists(atPath: journal))
    }
}
