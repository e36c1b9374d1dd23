import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing
import TollgateFraud
import TollgateStore

@testable import TollgateGateway
import TollgateModel
import TollgateStoreSQLite

/// A SQLite store whose writes fail on demand: CDR writes while `failures` is above zero, event
/// writes while `eventFailures` is, bans while `banFailures` is; and event writes that are stored
/// but answered with an error (an answer lost with the connection) while `lostEventAnswers` is.
final class FlakyStore: Store, Sendable {
    let base: SQLiteStore
    let failures: NIOLockedValueBox<Int>
    let eventFailures = NIOLockedValueBox(0)
    let banFailures = NIOLockedValueBox(0)
    let lostEventAnswers = NIOLockedValueBox(0)
    /// How far this store's clock runs ahead of the machine's (a database server's clock elsewhere).
    let clockSkew: TimeInterval

    init(path: String, failures: Int, clockSkew: TimeInterval = 0) throws {
        base = try SQLiteStore(path: path)
        self.failures = NIOLockedValueBox(failures)
        self.clockSkew = clockSkew
    }

    func databaseTime() async throws(StoreError) -> Date { Date().addingTimeInterval(clockSkew) }

    /// Whether the next write of a kind fails: takes one from its count.
    private static func take(_ count: NIOLockedValueBox<Int>) -> Bool {
        count.withLockedValue { value -> Bool in
            guard value > 0 else { return false }
            value -= 1
            return true
        }
    }

    func appendCDRs(_ records: [CallDetailRecord]) async throws(StoreError) {
        if Self.take(failures) { throw StoreError.databaseError("disk I/O error (test)") }
        try await base.appendCDRs(records)
    }

    func append(_ events: [SecurityEvent]) async throws(StoreError) {
        if Self.take(eventFailures) { throw StoreError.databaseError("connection refused (test)") }
        try await base.append(events)
        if Self.take(lostEventAnswers) { throw StoreError.databaseError("connection reset before the answer (test)") }
    }
    func events(_ query: EventQuery) async throws(StoreError) -> [SecurityEvent] { try await base.events(query) }
    func pruneEvents(olderThan date: Date) async throws(StoreError) -> Int { try await base.pruneEvents(olderThan: date) }
    func saveBan(_ ban: Ban) async throws(StoreError) {
        if Self.take(banFailures) { throw StoreError.databaseError("connection refused (test)") }
        try await base.saveBan(ban)
    }
    func ban(source: String) async throws(StoreError) -> Ban? { try await base.ban(source: source) }
    func allBans() async throws(StoreError) -> [Ban] { try await base.allBans() }
    func activeBans(at date: Date) async throws(StoreError) -> [Ban] { try await base.activeBans(at: date) }
    func liftBan(source: String, at date: Date) async throws(StoreError) -> Bool { try await base.liftBan(source: source, at: date) }
    func liftAllBans(at date: Date) async throws(StoreError) -> Int { try await base.liftAllBans(at: date) }
    func bansRevision() async throws(StoreError) -> Int64 { try await base.bansRevision() }
    func banChanges(after revision: Int64) async throws(StoreError) -> (bans: [Ban], revision: Int64) { try await base.banChanges(after: revision) }
    func changes() -> AsyncStream<StoreChange> { base.changes() }
    func registerNode(_ node: ClusterNode) async throws(StoreError) { try await base.registerNode(node) }
    func heartbeat(node name: String, at date: Date) async throws(StoreError) -> Bool { try await base.heartbeat(node: name, at: date) }
    func nodes() async throws(StoreError) -> [ClusterNode] { try await base.nodes() }
    func removeNode(named name: String) async throws(StoreError) -> Bool { try await base.removeNode(named: name) }
    /// While set, an admission is written this long after it was asked for, whether or not the
    /// caller still waits (a server that commits after the client gave up).
    let lateAdmissions = NIOLockedValueBox<Duration?>(nil)

    func admitCall(_ admission: SharedCallAdmission) async throws(StoreError) -> SharedCallVerdict {
        guard let late = lateAdmissions.withLockedValue({ $0 }) else { return try await base.admitCall(admission) }
        let base = self.base
        let written = Task.detached {
            try? await Task.sleep(for: late)
            return try? await base.admitCall(admission)
        }
        // The caller's deadline cancels this wait; the write goes on regardless.
        do {
            try await Task.sleep(for: late * 2)
        } catch {
            throw StoreError.databaseError("the caller gave up (test)")
        }
        guard let verdict = await written.value else { throw StoreError.databaseError("admission failed (test)") }
        return verdict
    }
    func releaseCall(callID: String) async throws(StoreError) -> Bool { try await base.releaseCall(callID: callID) }
    func releaseCalls(ofNodesSilentSince date: Date) async throws(StoreError) -> Int { try await base.releaseCalls(ofNodesSilentSince: date) }
    func sharedCounts(account: String?, at date: Date, dayStart: Date) async throws(StoreError) -> SharedCallCounts {
        try await base.sharedCounts(account: account, at: date, dayStart: dayStart)
    }
    func cdrs(_ query: CDRQuery) async throws(StoreError) -> [CallDetailRecord] { try await base.cdrs(query) }
    func cdrs(after id: Int64, matching query: CDRQuery, limit: Int) async throws(StoreError) -> [CallDetailRecord] {
        try await base.cdrs(after: id, matching: query, limit: limit)
    }
    func cdrCount(_ query: CDRQuery) async throws(StoreError) -> Int { try await base.cdrCount(query) }
    func saveSuspension(_ suspension: AccountSuspension) async throws(StoreError) { try await base.saveSuspension(suspension) }
    func activeSuspensions() async throws(StoreError) -> [AccountSuspension] { try await base.activeSuspensions() }
    func suspension(account: String) async throws(StoreError) -> AccountSuspension? { try await base.suspension(account: account) }
    func suspensionRecord(account: String) async throws(StoreError) -> SuspensionRecord? { try await base.suspensionRecord(account: account) }
    func liftSuspension(account: String, at date: Date) async throws(StoreError) -> Bool { try await base.liftSuspension(account: account, at: date) }
    func saveAccountSnapshots(_ snapshots: [AccountSnapshot]) async throws(StoreError) { try await base.saveAccountSnapshots(snapshots) }
    func accountSnapshot(account: String) async throws(StoreError) -> AccountSnapshot? { try await base.accountSnapshot(account: account) }
    func accountSnapshots() async throws(StoreError) -> [AccountSnapshot] { try await base.accountSnapshots() }
    func requestCounterReset(account: String, at date: Date) async throws(StoreError) { try await base.requestCounterReset(account: account, at: date) }
    func counterResets() async throws(StoreError) -> [String: Date] { try await base.counterResets() }
    func saveAllowance(account: String, destination: String, at date: Date) async throws(StoreError) {
        try await base.saveAllowance(account: account, destination: destination, at: date)
    }
    func allowances() async throws(StoreError) -> [(account: String, destination: String)] { try await base.allowances() }
    func recordSightings(_ sightings: [DeviceSighting]) async throws(StoreError) { try await base.recordSightings(sightings) }
    func inventory() async throws(StoreError) -> [InventoryDevice] { try await base.inventory() }
    func inventoryDevice(address: String, ext: String) async throws(StoreError) -> InventoryDevice? {
        try await base.inventoryDevice(address: address, ext: ext)
    }
    func saveInventoryDetails(_ device: InventoryDevice) async throws(StoreError) -> Bool { try await base.saveInventoryDetails(device) }
    func removeInventoryDevice(address: String, ext: String) async throws(StoreError) -> Bool {
        try await base.removeInventoryDevice(address: address, ext: ext)
    }
    func saveDrillResult(_ result: FailoverDrillResult) async throws(StoreError) { try await base.saveDrillResult(result) }
    func lastDrillResult() async throws(StoreError) -> FailoverDrillResult? { try await base.lastDrillResult() }
    func saveUser(_ user: ConsoleUser) async throws(StoreError) { try await base.saveUser(user) }
    func user(named name: String) async throws(StoreError) -> ConsoleUser? { try await base.user(named: name) }
    func users() async throws(StoreError) -> [ConsoleUser] { try await base.users() }
    func removeUser(named name: String) async throws(StoreError) -> Bool { try await base.removeUser(named: name) }
    func claimTOTPStep(user name: String, step: Int64) async throws(StoreError) -> Bool { try await base.claimTOTPStep(user: name, step: step) }
    func saveSession(_ session: ConsoleSession) async throws(StoreError) { try await base.saveSession(session) }
    func session(idHash: String) async throws(StoreError) -> ConsoleSession? { try await base.session(idHash: idHash) }
    func touchSession(idHash: String, at time: Date) async throws(StoreError) { try await base.touchSession(idHash: idHash, at: time) }
    func sessions(user: String) async throws(StoreError) -> [ConsoleSession] { try await base.sessions(user: user) }
    func removeSession(idHash: String) async throws(StoreError) -> Bool { try await base.removeSession(idHash: idHash) }
    func removeSessions(user: String) async throws(StoreError) -> Int { try await base.removeSessions(user: user) }
    func removeSessions(idleBefore: Date, createdBefore: Date) async throws(StoreError) -> Int {
        try await base.removeSessions(idleBefore: idleBefore, createdBefore: createdBefore)
    }
    func saveToken(_ token: APIToken) async throws(StoreError) { try await base.saveToken(token) }
    func token(hash: String) async throws(StoreError) -> APIToken? { try await base.token(hash: hash) }
    func tokens(user: String?) async throws(StoreError) -> [APIToken] { try await base.tokens(user: user) }
    func removeToken(id: String) async throws(StoreError) -> Bool { try await base.removeToken(id: id) }
    func touchToken(id: String, at time: Date) async throws(StoreError) { try await base.touchToken(id: id, at: time) }
    func divert() async throws(StoreError) -> DivertState? { try await base.divert() }
    func eventCount(_ query: EventQuery) async throws(StoreError) -> Int { try await base.eventCount(query) }
    func setDivert(_ state: DivertState?) async throws(StoreError) { try await base.setDivert(state) }
    func acknowledge(_ acknowledgement: AlarmAcknowledgement) async throws(StoreError) -> Bool { try await base.acknowledge(acknowledgement) }
    func acknowledgements(eventIDs: [Int64]) async throws(StoreError) -> [Int64: AlarmAcknowledgement] {
        try await base.acknowledgements(eventIDs: eventIDs)
    }
    func appendAuditEntry(actor: String, source: String, action: String, target: String, before: String?, after: String?,
                          at time: Date) async throws(StoreError) -> AuditLogEntry {
        try await base.appendAuditEntry(actor: actor, source: source, action: action, target: target, before: before, after: after, at: time)
    }
    func auditEntries(since: Date?, limit: Int) async throws(StoreError) -> [AuditLogEntry] { try await base.auditEntries(since: since, limit: limit) }
    func auditChain() async throws(StoreError) -> (entries: [AuditLogEntry], headHash: String, headCount: Int) { try await base.auditChain() }
    func removeAllowance(account: String, destination: String) async throws(StoreError) -> Bool {
        try await base.removeAllowance(account: account, destination: destination)
    }
    func accountsRevision() async throws(StoreError) -> Int64 { try await base.accountsRevision() }
    var location: String { "flaky " + base.location }
}

@Suite("CDR writer")
struct CallRecordWriterTests {
    static func record(_ id: String) -> CallDetailRecord {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        return CallDetailRecord(callID: id, direction: .outbound, from: "201", to: "01632960123", account: "201", source: "127.0.0.20",
                                start: start, answer: start + 1, end: start + 61, cause: 200, disposition: .answered, hangup: .caller)
    }

    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-writer-\(UUID().uuidString).db").path
    }

    @Test("a record's future succeeds once it is in the store, and records keep their order")
    func durableWhenStored() async throws {
        let store = try FlakyStore(path: Self.path(), failures: 0)
        let writer = CallRecordWriter(store: store, logger: Logger(label: "test"))
        let running = Task { await writer.run() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let futures = (0..<50).map { writer.append(Self.record("call-\($0)"), on: loop) }
        for future in futures { try await future.get() }
        let stored = try await store.cdrs(CDRQuery(limit: 100, order: .oldestFirst))
        #expect(stored.map(\.callID) == (0..<50).map { "call-\($0)" })
        writer.finish()
        await running.value
    }

    @Test("a failing store fails the waiting futures at once but keeps the records and stores them when it recovers")
    func failedBatchesAreRetried() async throws {
        let store = try FlakyStore(path: Self.path(), failures: 2)
        let writer = CallRecordWriter(store: store, logger: Logger(label: "test"))
        let running = Task { await writer.run() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let first = writer.append(Self.record("kept-1"), on: loop)
        await #expect(throws: StoreError.self) { try await first.get() }
        let deadline = Date().addingTimeInterval(10)
        var count = 0
        while Date() < deadline {
            count = try await store.cdrCount(CDRQuery())
            if count == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(count == 1, "the record was stored after the store recovered")
        try await writer.append(Self.record("kept-2"), on: loop).get()
        writer.finish()
        await running.value
        #expect(try await store.cdrCount(CDRQuery()) == 2)
    }

    @Test("records queued before finish() are all written; later ones are refused")
    func finishWritesTheRest() async throws {
        let store = try FlakyStore(path: Self.path(), failures: 0)
        let writer = CallRecordWriter(store: store, logger: Logger(label: "test"))
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let queued = (0..<10).map { writer.append(Self.record("q-\($0)"), on: loop) }
        writer.finish()
        await writer.run()
        for future in queued { try await future.get() }
        await #expect(throws: CallRecordWriter.WriteError.stopping) { try await writer.append(Self.record("late"), on: loop).get() }
        #expect(try await store.cdrCount(CDRQuery()) == 10)
    }
}

@Suite("CDR writer on SQLite")
struct CallRecordWriterSQLiteTests {
    static func call(_ callID: String) -> CallDetailRecord {
        let start = Date(timeIntervalSince1970: 1_750_000_000)
        return CallDetailRecord(callID: callID, direction: .inbound, from: "sipp", to: "1001", account: "trunk1", source: "127.0.0.10",
                                start: start, end: start.addingTimeInterval(2), disposition: .answered)
    }

    static func temporaryDatabase() throws -> (folder: URL, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cdr-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (folder, folder.appendingPathComponent("tollgate.db").path)
    }

    @Test("each record's future succeeds once it is in the store; finish() writes the rest and ends run()")
    func storesAndSignals() async throws {
        let (folder, path) = try Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: path)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let writer = CallRecordWriter(store: store, logger: Logger(label: "test"))
        let running = Task { await writer.run() }

        try await writer.append(Self.call("first"), on: loop).get()
        #expect(try await store.cdrCount(CDRQuery()) == 1)

        // Records queued together are all stored, and each future tells so.
        let futures = (0..<50).map { writer.append(Self.call("call-\($0)"), on: loop) }
        for future in futures { try await future.get() }
        #expect(try await store.cdrCount(CDRQuery()) == 51)

        let last = writer.append(Self.call("last"), on: loop)
        writer.finish()
        await running.value
        try await last.get()
        #expect(try await store.cdrCount(CDRQuery()) == 52)

        // After finish() nothing more is taken.
        await #expect(throws: CallRecordWriter.WriteError.stopping) { try await writer.append(Self.call("late"), on: loop).get() }
        try await group.shutdownGracefully()
    }

    @Test("an in-memory store is written the same way")
    func inMemory() async throws {
        let store = try SQLiteStore.inMemory()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let writer = CallRecordWriter(store: store, logger: Logger(label: "test"))
        let running = Task { await writer.run() }
        try await writer.append(Self.call("one"), on: group.next()).get()
        writer.finish()
        await running.value
        #expect(try await store.cdrCount(CDRQuery()) == 1)
        try await group.shutdownGracefully()
    }

    @Test("with checkpoints handed over, commits leave the WAL to the checkpointer, which copies all of it")
    func separateCheckpoints() async throws {
        let (folder, path) = try Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: path)
        let checkpointer = try #require(try store.separateCheckpoints())
        #expect(try SQLiteStore.inMemory().separateCheckpoints() == nil)
        for index in 0..<20 { try await store.appendCDRs([Self.call("call-\(index)")]) }
        let result = try await checkpointer.checkpoint()
        #expect(result.logged > 0)
        #expect(result.copied == result.logged)
        #expect(try await store.cdrCount(CDRQuery()) == 20)
        // Another connection (a `tollgate cdr` command) reads everything.
        let reader = try SQLiteStore(path: path)
        #expect(try await reader.cdrCount(CDRQuery()) == 20)

        // A checkpoint on the writing connection between writes lets the next write start the WAL over.
        let full = try store.checkpointBlocking()
        #expect(full.copied == full.logged)
        try await store.appendCDRs([Self.call("after")])
        let restarted = try store.checkpointBlocking()
        #expect(restarted.logged < full.logged, "the WAL started over: \(restarted.logged) pages after \(full.logged)")
        #expect(try await reader.cdrCount(CDRQuery()) == 21)
    }
}
