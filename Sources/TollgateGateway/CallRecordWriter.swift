import Foundation
import Logging
import Metrics
import NIOCore
import TollgateFraud
import TollgateStore
import TollgateModel

/// Writes each ended call's CDR to the store in batches (a record arriving while a batch is being
/// written goes into the next one, so the store sees one transaction at a time), and tells the
/// message path when a record is durable (its promise succeeds once the batch's transaction has
/// committed), so the answer that ends a call can wait for it.
///
/// With a ``CallRecordJournal``, a record is durable as soon as its line is appended to the journal,
/// on the caller's thread: its future is already succeeded, and the writer moves records to the
/// store in batches, one commit per `lazyInterval` (0.2 s by default). Without one (or when the journal's disk
/// refuses a line) the future succeeds once the store has committed the record, and the writer
/// starts on it at once.
///
/// The writing runs on a thread of its own that sleeps until a record is queued, through the store's
/// blocking path (``CallRecordStore/appendCDRsBlocking(_:)``): an SQLite store is written on that
/// thread directly, so a record's way from the event loop to the disk and back is one wake-up each way.
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
        /// Records waiting whose callers wait for the store (not journaled).
        var awaited = 0

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
        /// and whether it is finished. Journaled records may wait up to `lazy` for more to join
        /// them; a record someone waits for, `limit` records, or the end are taken at once.
        /// `whileLocked` runs with the batch, before the lock is released.
        func nextBatch(limit: Int, lazy: TimeInterval, whileLocked: (_ lastSequence: UInt64) -> Void) -> ([Pending], Bool) {
            condition.lock()
            defer { condition.unlock() }
            while queue.pending.isEmpty, !queue.finished { condition.wait() }
            if lazy > 0, !queue.pending.isEmpty {
                let deadline = Date(timeIntervalSinceNow: lazy)
                while queue.awaited == 0, queue.pending.count < limit, !queue.finished, condition.wait(until: deadline) {}
            }
            let batch = Array(queue.pending.prefix(limit))
            whileLocked(queue.nextSequence &- 1)
            return (batch, queue.finished)
        }
    }

    private let guarded = Guarded()

    /// How many records wait to be written to the store.
    public var backlog: Int { guarded.withLock { $0.pending.count } }
    private let store: any Store
    /// Written under `guarded`'s lock; `nil` when records wait for the store.
    private let journal: CallRecordJournal?
    private let lazyInterval: TimeInterval
    /// Closed journal segments not yet removed; the writer thread's alone.
    private let segments = SegmentList()
    private let capacity: Int
    private let logger: Logger
    private let written = Counter(label: "tollgate_cdrs_stored_total")
    private let lost = Counter(label: "tollgate_cdrs_dropped_total")
    private let journalFailures = Counter(label: "tollgate_cdr_journal_failures_total")

    /// How long journaled records wait, by default, for others to join them in one commit.
    static let defaultLazyInterval: TimeInterval = 0.2
    /// How many records the writer takes for one commit at most.
    static let batchLimit = 1000

    /// - Parameters:
    ///   - journal: where records become durable before they are stored; `nil` makes each caller
    ///     wait for the store's commit.
    ///   - lazyInterval: how long journaled records wait for others to join them in one commit.
    init(store: any Store, journal: CallRecordJournal?, lazyInterval: TimeInterval = defaultLazyInterval, capacity: Int = 100_000,
         logger: Logger) {
        self.store = store
        self.journal = journal
        self.lazyInterval = lazyInterval
        self.capacity = capacity
        self.logger = logger
    }

    public convenience init(store: any Store, capacity: Int = 100_000, logger: Logger) {
        self.init(store: store, journal: nil, capacity: capacity, logger: logger)
    }

    /// Queues a record; the returned future succeeds once it is durable: at once when it went to
    /// the journal, else once it is stored (it fails if the store refused the batch; the record
    /// is retried anyway).
    public func append(_ record: CallDetailRecord, on eventLoop: EventLoop) -> EventLoopFuture<Void> {
        durable(record, on: eventLoop) ?? eventLoop.makeSucceededVoidFuture()
    }

    /// Queues a record like ``append(_:on:)``, and returns `nil` when it is durable already (it
    /// went to the journal), so the caller need not wait at all.
    public func durable(_ record: CallDetailRecord, on eventLoop: EventLoop) -> EventLoopFuture<Void>? {
        let line = journal.map { _ in CallRecordJournalLine.encode(record) }
        let (outcome, dropped) = guarded.withLock { queue -> (Outcome, Pending?) in
            guard !queue.finished else { return (.refused, nil) }
            var promise: EventLoopPromise<Void>?
            if let line, let journal, journal.append(line) {
                // Durable now; the writer gets to it with the next batch.
                if queue.pending.isEmpty || queue.pending.count + 1 == Self.batchLimit { guarded.condition.signal() }
            } else {
                // The writer starts on this record at once: the answer that ends the call is waiting for it.
                promise = eventLoop.makePromise(of: Void.self)
                queue.awaited += 1
                guarded.condition.signal()
            }
            queue.pending.append(Pending(sequence: queue.nextSequence, record: record, promise: promise))
            queue.nextSequence += 1
            let outcome: Outcome = promise.map { .waiting($0) } ?? .journaled
            guard queue.pending.count > capacity else { return (outcome, nil) }
            let dropped = queue.pending.removeFirst()
            if dropped.promise != nil { queue.awaited -= 1 }
            return (outcome, dropped)
        }
        if let dropped {
            lost.increment()
            logger.error("CDR queue full, the store is not keeping up; a CDR was dropped", metadata: ["call-id": "\(dropped.record.callID)"])
            dropped.promise?.fail(WriteError.queueFull)
        }
        switch outcome {
        case .journaled:
            return nil
        case .waiting(let promise):
            if line != nil { journalFailures.increment() }
            return promise.futureResult
        case .refused:
            return eventLoop.makeFailedFuture(WriteError.stopping)
        }
    }

    private enum Outcome {
        case journaled
        case waiting(EventLoopPromise<Void>)
        case refused
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

    /// How often, at most, the writer thread runs the store's upkeep between its writes, when
    /// nothing waits; and how long it goes without, however busy.
    static let checkpointInterval: (idle: TimeInterval, longest: TimeInterval) = (1, 3)

    /// The writer thread: takes up to 1,000 queued records at a time and stores them.
    private func writeLoop() {
        var backoff: TimeInterval = 0.1
        var lastCheckpoint = Date()
        while true {
            let since = -lastCheckpoint.timeIntervalSinceNow
            if since >= Self.checkpointInterval.longest
                || (since >= Self.checkpointInterval.idle && guarded.withLock { $0.pending.isEmpty })
            {
                // The backend's upkeep with no write in between (SQLite: a checkpoint that lets the WAL start over).
                store.betweenWrites()
                lastCheckpoint = Date()
            }
            let journal = self.journal
            let segments = self.segments
            let logger = self.logger
            let (batch, finished) = guarded.nextBatch(limit: Self.batchLimit, lazy: journal == nil ? 0 : lazyInterval) { last in
                // Records appended from now on go to a new segment; the closed one goes once all its records are stored.
                do {
                    if let segment = try journal?.rotate(lastSequence: last) { segments.closed.append(segment) }
                } catch {
                    logger.error("cannot start a new CDR journal segment; answers wait for the store", metadata: ["error": "\(error)"])
                }
            }
            if batch.isEmpty {
                journal?.finish()
                return
            }
            do {
                try write(batch.map(\.record))
                let last = batch[batch.count - 1].sequence
                let waited = batch.count { $0.promise != nil }
                guarded.withLock { queue in
                    queue.remove(through: last)
                    queue.awaited -= waited
                }
                written.increment(by: batch.count)
                for item in batch { item.promise?.succeed(()) }
                segments.removeStored(through: last)
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
                    queue.awaited -= failed.count
                    return failed
                }
                for promise in failed { promise.fail(error) }
                if finished, backoff > 2 {
                    lost.increment(by: batch.count)
                    let kept = journal == nil ? "" : "; the CDR journal keeps them for the next start"
                    logger.error("giving up on \(batch.count) CDRs at shutdown: the store keeps refusing them\(kept)")
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
        try store.appendCDRsBlocking(records)
    }

    /// Stops taking new records; ``run()`` returns once what was queued is written.
    public func finish() {
        guarded.withLock { queue in
            queue.finished = true
            guarded.condition.broadcast()
        }
    }
}

/// The journal segments the writer closed, oldest first; touched by the writer thread only.
private final class SegmentList: @unchecked Sendable {
    var closed: [CallRecordJournal.Segment] = []

    /// Removes the segments whose records are all stored.
    func removeStored(through sequence: UInt64) {
        while let first = closed.first, first.lastSequence <= sequence {
            CallRecordJournal.remove(first.path)
            closed.removeFirst()
        }
    }
}
