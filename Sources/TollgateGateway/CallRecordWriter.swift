import Foundation
import Logging
import Metrics
import NIOCore
import TollgateFraud
import TollgateStore

/// Writes each ended call's CDR to the store in batches (a record arriving while a batch is being
/// written goes into the next one, so the store sees one transaction at a time), and tells the
/// message path when a record is durable (its promise succeeds once the batch's transaction has
/// committed), so the answer that ends a call can wait for it.
///
/// The writing runs on a thread of its own that sleeps until a record is queued: an SQLite store
/// is written on that thread directly, so a record's way from the event loop to the disk and back
/// is one wake-up each way. Other stores are written through their async interface.
///
/// Records are never dropped on a slow or failing store: a failed batch stays queued and is
/// retried with back-off (its promises are failed at once, so no caller waits on a broken disk).
/// Only beyond `capacity` waiting records, with the store down, are the oldest given up, logged
/// and counted.
public final class CallRecordWriter: Sendable {
    /// Why a record's promise failed.
    public enum WriteError: Error, Sendable, Hashable {
        /// More records wait than the queue holds: the store is not keeping up.
        case queueFull
        /// The gateway is stopping and takes no new records.
        case stopping
    }

    private struct Pending {
        var sequence: UInt64
        var record: CallDetailRecord
        var promise: EventLoopPromise<Void>?
    }

    private struct Queue {
        var pending = CircularBuffer<Pending>(initialCapacity: 256)
        var nextSequence: UInt64 = 0
        var finished = false

        /// Removes the records up to and including `sequence` (some may have gone already).
        mutating func remove(through sequence: UInt64) {
            while let first = pending.first, first.sequence <= sequence { pending.removeFirst() }
        }
    }

    /// The queue, guarded by a condition the writer thread waits on.
    private final class Guarded: @unchecked Sendable {
        let condition = NSCondition()
        var queue = Queue()

        func withLock<T>(_ body: (inout Queue) -> T) -> T {
            condition.lock()
            defer { condition.unlock() }
            return body(&queue)
        }

        /// Up to `limit` records from the front once there are any (or the queue is finished),
        /// and whether it is finished.
        func nextBatch(limit: Int) -> ([Pending], Bool) {
            condition.lock()
            defer { condition.unlock() }
            while queue.pending.isEmpty, !queue.finished { condition.wait() }
            return (Array(queue.pending.prefix(limit)), queue.finished)
        }
    }

    private let guarded = Guarded()
    private let store: any Store
    private let capacity: Int
    private let logger: Logger
    private let written = Counter(label: "tollgate_cdrs_stored_total")
    private let lost = Counter(label: "tollgate_cdrs_dropped_total")

    public init(store: any Store, capacity: Int = 100_000, logger: Logger) {
        self.store = store
        self.capacity = capacity
        self.logger = logger
    }

    /// Queues a record; the returned future succeeds once it is stored (fails if the store
    /// refused the batch; the record is retried anyway).
    public func append(_ record: CallDetailRecord, on eventLoop: EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let (accepted, dropped) = guarded.withLock { queue -> (Bool, Pending?) in
            guard !queue.finished else { return (false, nil) }
            queue.pending.append(Pending(sequence: queue.nextSequence, record: record, promise: promise))
            queue.nextSequence += 1
            // The writer starts on this record at once: the answer that ends the call is waiting for it.
            if queue.pending.count == 1 { guarded.condition.signal() }
            guard queue.pending.count > capacity else { return (true, nil) }
            return (true, queue.pending.removeFirst())
        }
        if let dropped {
            lost.increment()
            logger.error("CDR queue full, the store is not keeping up; a CDR was dropped", metadata: ["call-id": "\(dropped.record.callID)"])
            dropped.promise?.fail(WriteError.queueFull)
        }
        if !accepted { promise.fail(WriteError.stopping) }
        return promise.futureResult
    }

    /// Writes what is queued until ``finish()`` is called, then writes the rest and returns.
    public func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                writeLoop()
                done.resume()
            }
            thread.name = "tollgate-cdr-writer"
            thread.start()
        }
    }

    /// How often, at most, the writer thread checkpoints an SQLite store between its writes, when
    /// nothing waits; and how long it goes without, however busy.
    static let checkpointInterval: (idle: TimeInterval, longest: TimeInterval) = (1, 3)

    /// The writer thread: takes up to 1,000 queued records at a time and stores them.
    private func writeLoop() {
        var backoff: TimeInterval = 0.1
        var lastCheckpoint = Date()
        while true {
            if let sqlite = store as? SQLiteStore {
                let since = -lastCheckpoint.timeIntervalSinceNow
                if since >= Self.checkpointInterval.longest
                    || (since >= Self.checkpointInterval.idle && guarded.withLock { $0.pending.isEmpty })
                {
                    // Commits do not checkpoint (see SQLiteStore.separateCheckpoints()); this one,
                    // with no write in between, lets the WAL start over.
                    _ = try? sqlite.checkpointBlocking()
                    lastCheckpoint = Date()
                }
            }
            let (batch, finished) = guarded.nextBatch(limit: 1000)
            if batch.isEmpty { return }
            do {
                try write(batch.map(\.record))
                let last = batch[batch.count - 1].sequence
                guarded.withLock { $0.remove(through: last) }
                written.increment(by: batch.count)
                for item in batch { item.promise?.succeed(()) }
                backoff = 0.1
            } catch {
                logger.error("cannot store \(batch.count) CDRs; retrying", metadata: ["error": "\(error)"])
                // The callers stop waiting; the records stay queued for the next attempt.
                let last = batch[batch.count - 1].sequence
                let failed = guarded.withLock { queue -> [EventLoopPromise<Void>] in
                    var failed: [EventLoopPromise<Void>] = []
                    for index in queue.pending.indices where queue.pending[index].sequence <= last {
                        if let promise = queue.pending[index].promise { failed.append(promise) }
                        queue.pending[index].promise = nil
                    }
                    return failed
                }
                for promise in failed { promise.fail(error) }
                if finished, backoff > 2 {
                    lost.increment(by: batch.count)
                    logger.error("giving up on \(batch.count) CDRs at shutdown: the store keeps refusing them")
                    guarded.withLock { $0.remove(through: last) }
                    continue
                }
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 5)
            }
        }
    }

    /// Stores one batch, on this thread.
    private func write(_ records: [CallDetailRecord]) throws {
        if let sqlite = store as? SQLiteStore {
            try sqlite.appendCDRsBlocking(records)
            return
        }
        let outcome = NSCondition()
        var result: Result<Void, StoreError>?
        let box = ResultBox()
        let store = self.store
        Task {
            let done: Result<Void, StoreError>
            do throws(StoreError) { try await store.appendCDRs(records); done = .success(()) } catch { done = .failure(error) }
            box.set(done, signalling: outcome)
        }
        outcome.lock()
        while box.value == nil { outcome.wait() }
        result = box.value
        outcome.unlock()
        try result?.get()
    }

    /// Stops taking new records; ``run()`` returns once what was queued is written.
    public func finish() {
        guarded.withLock { queue in
            queue.finished = true
            guarded.condition.broadcast()
        }
    }
}

/// The outcome of an async write, handed to the writer thread that waits for it.
private final class ResultBox: @unchecked Sendable {
    var value: Result<Void, StoreError>?

    func set(_ result: Result<Void, StoreError>, signalling condition: NSCondition) {
        condition.lock()
        value = result
        condition.signal()
        condition.unlock()
    }
}
