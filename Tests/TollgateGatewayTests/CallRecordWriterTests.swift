import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import TollgateFraud
import TollgateStore
@testable import TollgateGateway

@Suite("CDR writer")
struct CallRecordWriterTests {
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
    }
}
