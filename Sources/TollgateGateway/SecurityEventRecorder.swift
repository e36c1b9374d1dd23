import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import TollgateStore
import TollgateModel

/// Takes events and bans from the message path without ever making it wait, and writes them to
/// the store in batches (one transaction each, every 50 ms at most) and hands every event to the
/// alert sinks. Its queue is bounded: when a flood outruns the disk, the oldest events go first
/// and are counted; bans are never dropped.
public final class SecurityEventRecorder: Sendable {
    private struct Queue {
        var events = CircularBuffer<SecurityEvent>(initialCapacity: 1024)
        var bans = CircularBuffer<Ban>(initialCapacity: 64)
        var finished = false
    }

    private let queue = NIOLockedValueBox(Queue())
    private let store: (any Store)?
    private let deliver: @Sendable (SecurityEvent) -> Void
    private let banStored: @Sendable (Ban) -> Void
    private let capacity: Int
    private let logger: Logger
    private let dropped = Counter(label: "tollgate_events_dropped_total")
    private let stored = Counter(label: "tollgate_events_stored_total")

    /// - Parameters:
    ///   - store: Where events and bans are written; `nil` keeps them in the log only.
    ///   - capacity: The most events waiting to be written.
    ///   - deliver: Called for every event, off the message path (alert sinks).
    ///   - banStored: Called once a ban is in the store.
    public init(store: (any Store)?, capacity: Int = 100_000, logger: Logger, deliver: @escaping @Sendable (SecurityEvent) -> Void = { _ in },
                banStored: @escaping @Sendable (Ban) -> Void = { _ in }) {
        self.store = store
        self.capacity = capacity
        self.logger = logger
        self.deliver = deliver
        self.banStored = banStored
    }

    /// Queues an event; returns at once.
    public func record(_ event: SecurityEvent) {
        let overflow = queue.withLockedValue { queue -> Bool in
            guard !queue.finished else { return false }
            queue.events.append(event)
            guard queue.events.count > capacity else { return false }
            queue.events.removeFirst()
            return true
        }
        if overflow { dropped.increment() }
    }

    /// Queues a ban to be stored; returns at once. The queue holds as many bans as events; past
    /// that (a flood from forged addresses) the oldest waiting ban is dropped, and the engine,
    /// which has not heard it was stored, keeps it in force anyway.
    public func save(_ ban: Ban) {
        let overflow = queue.withLockedValue { queue -> Bool in
            guard !queue.finished else { return false }
            queue.bans.append(ban)
            guard queue.bans.count > capacity else { return false }
            queue.bans.removeFirst()
            return true
        }
        if overflow { dropped.increment() }
    }

    /// Writes what is queued until ``finish()`` is called, then writes the rest and returns.
    public func run() async {
        while true {
            let (events, bans, finished) = queue.withLockedValue { queue -> ([SecurityEvent], [Ban], Bool) in
                defer {
                    queue.events.removeAll(keepingCapacity: true)
                    queue.bans.removeAll(keepingCapacity: true)
                }
                return (Array(queue.events), Array(queue.bans), queue.finished)
            }
            await write(events: events, bans: bans)
            if finished { return }
            if events.isEmpty, bans.isEmpty { try? await Task.sleep(for: .milliseconds(50)) }
        }
    }

    /// Stops taking new items; ``run()`` returns once what was queued is written.
    public func finish() {
        queue.withLockedValue { $0.finished = true }
    }

    private func write(events: [SecurityEvent], bans: [Ban]) async {
        for event in events { deliver(event) }
        guard let store else { return }
        for ban in bans {
            do {
                try await store.saveBan(ban)
                banStored(ban)
            } catch {
                logger.error("cannot store a ban", metadata: ["source": "\(ban.source)", "error": "\(error)"])
            }
        }
        guard !events.isEmpty else { return }
        do {
            try await store.append(events)
            stored.increment(by: events.count)
        } catch {
            dropped.increment(by: events.count)
            logger.error("cannot store \(events.count) events", metadata: ["error": "\(error)"])
        }
    }
}
