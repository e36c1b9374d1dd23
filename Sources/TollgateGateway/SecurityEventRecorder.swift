import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import TollgateStore

/// Takes events and bans from the message path without ever making it wait, and writes them to
/// the store in batches (one transaction each, every 50 ms at most) and hands every event to the
/// alert sinks. Its queue is bounded: when a flood outruns the disk, the oldest events go first
/// and are counted; bans are never dropped.
public final class SecurityEventRecorder: Sendable {
    private struct Queue {
        var events: [SecurityEvent] = []
        var bans: [Ban] = []
        var finished = false
    }

    private let queue = NIOLockedValueBox(Queue())
    private let store: (any Store)?
    private let deliver: @Sendable (SecurityEvent) -> Void
    private let capacity: Int
    private let logger: Logger
    private let dropped = Counter(label: "tollgate_events_dropped_total")
    private let stored = Counter(label: "tollgate_events_stored_total")

    /// - Parameters:
    ///   - store: Where events and bans are written; `nil` keeps them in the log only.
    ///   - capacity: The most events waiting to be written.
    ///   - deliver: Called for every event, off the message path (alert sinks).
    public init(store: (any Store)?, capacity: Int = 100_000, logger: Logger, deliver: @escaping @Sendable (SecurityEvent) -> Void = { _ in }) {
        self.store = store
        self.capacity = capacity
        self.logger = logger
        self.deliver = deliver
    }

    /// Queues an event; returns at once.
    public func record(_ event: SecurityEvent) {
        let overflow = queue.withLockedValue { queue -> Bool in
            guard !queue.finished else { return false }
            queue.events.append(event)
            if queue.events.count > capacity {
                queue.events.removeFirst(queue.events.count - capacity)
                return true
            }
            return false
        }
        if overflow { dropped.increment() }
    }

    /// Queues a ban to be stored; returns at once.
    public func save(_ ban: Ban) {
        queue.withLockedValue { queue in
            guard !queue.finished else { return }
            queue.bans.append(ban)
        }
    }

    /// Writes what is queued until ``finish()`` is called, then writes the rest and returns.
    public func run() async {
        while true {
            let (events, bans, finished) = queue.withLockedValue { queue -> ([SecurityEvent], [Ban], Bool) in
                defer {
                    queue.events.removeAll(keepingCapacity: true)
                    queue.bans.removeAll(keepingCapacity: true)
                }
                return (queue.events, queue.bans, queue.finished)
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
