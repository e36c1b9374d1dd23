import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import TollgateFraud
import TollgateStore

/// Writes each ended call's CDR to the store in batches, and tells the message path when a
/// record is durable (its promise succeeds once the batch's transaction has committed), so the
/// answer that ends a call can wait for it.
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

    private let queue = NIOLockedValueBox(Queue())
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
        let (accepted, dropped) = queue.withLockedValue { queue -> (Bool, Pending?) in
            guard !queue.finished else { return (false, nil) }
            queue.pending.append(Pending(sequence: queue.nextSequence, record: record, promise: promise))
            queue.nextSequence += 1
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
        var backoff: Duration = .milliseconds(100)
        while true {
            let (batch, finished) = queue.withLockedValue { queue -> ([Pending], Bool) in
                let batch = Array(queue.pending.prefix(1000))
                return (batch, queue.finished)
            }
            if batch.isEmpty {
                if finished { return }
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            do {
                try await store.appendCDRs(batch.map(\.record))
                let last = batch[batch.count - 1].sequence
                queue.withLockedValue { $0.remove(through: last) }
                written.increment(by: batch.count)
                for item in batch { item.promise?.succeed(()) }
                backoff = .milliseconds(100)
            } catch {
                logger.error("cannot store \(batch.count) CDRs; retrying", metadata: ["error": "\(error)"])
                // The callers stop waiting; the records stay queued for the next attempt.
                let last = batch[batch.count - 1].sequence
                queue.withLockedValue { queue in
                    for index in queue.pending.indices where queue.pending[index].sequence <= last {
                        queue.pending[index].promise?.fail(error)
                        queue.pending[index].promise = nil
                    }
                }
                if finished, backoff > .seconds(2) {
                    lost.increment(by: batch.count)
                    logger.error("giving up on \(batch.count) CDRs at shutdown: the store keeps refusing them")
                    queue.withLockedValue { $0.remove(through: last) }
                    continue
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// Stops taking new records; ``run()`` returns once what was queued is written.
    public func finish() {
        queue.withLockedValue { $0.finished = true }
    }
}
