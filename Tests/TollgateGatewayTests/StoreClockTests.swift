import Foundation
import Testing
import TollgateModel
import TollgateStore

@testable import TollgateGateway

@Suite("The store's clock")
struct StoreClockTests {
    @Test("a database clock 30 s ahead: this node's bans are written in its time and bans read from it are held in this node's")
    func offsetShiftsBans() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-clock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try FlakyStore(path: folder.appendingPathComponent("tollgate.db").path, failures: 0, clockSkew: 30)
        let clock = StoreClock()
        #expect(clock.current == 0)
        try await clock.measure(store)
        #expect(abs(clock.current - 30) < 0.5, "\(clock.current)")

        let local = Ban(source: "192.0.2.66", since: Date(timeIntervalSince1970: 1_000), until: Date(timeIntervalSince1970: 1_600),
                        rule: "scanner", reason: "r")
        let written = clock.toStore(local)
        #expect(abs(written.since.timeIntervalSince1970 - 1_030) < 0.5 && abs(written.until.timeIntervalSince1970 - 1_630) < 0.5)
        #expect(written.source == local.source && written.rule == local.rule)
        let read = clock.fromStore(written)
        #expect(abs(read.until.timeIntervalSince(local.until)) < 0.001, "a round trip gives the node's own times back")
    }

    @Test("an SQLite store's clock is this machine's: no offset")
    func sqliteHasNoOffset() async throws {
        let store = try SQLiteStoreForClock.make()
        let clock = StoreClock()
        try await clock.measure(store)
        #expect(abs(clock.current) < 0.1)
    }
}

import TollgateStoreSQLite

enum SQLiteStoreForClock {
    static func make() throws -> SQLiteStore { try SQLiteStore.inMemory() }
}
