import TollgateStore
import TollgateModel

/// The queue and the one background task of a queued sink.
///
/// The task takes events from the queue in order and hands each to the sink's `deliver` closure. The
/// worker owns the task: ``shutdown(deadline:)`` finishes the queue, waits for the task to deliver what
/// is left until the deadline, then cancels it and counts whatever was not delivered as dropped.
final class AlertWorker: Sendable {
    let queue: AlertQueue
    let counters: AlertSinkCounters
    private let task: Task<Void, Never>

    /// Starts the background task. `deliver` is called for one event at a time, in queue order; when it
    /// returns the event must have been counted as sent, failed or dropped. `finally` runs once, after
    /// the last event, to release what the delivery held (sockets and the like).
    init(
        queue: AlertQueue,
        counters: AlertSinkCounters,
        deliver: @escaping @Sendable (SecurityEvent) async -> Void,
        finally: @escaping @Sendable () async -> Void = {}
    ) {
        self.queue = queue
        self.counters = counters
        self.task = Task {
            while let event = await queue.next() {
                await deliver(event)
            }
            await finally()
        }
    }

    deinit {
        // Without a shutdown the task drains what is queued and ends; it holds no reference to the sink.
        self.queue.finish()
    }

    /// Hands `event` to the queue. Never waits.
    func enqueue(_ event: SecurityEvent) {
        self.queue.enqueue(event)
    }

    /// Refuses new events, lets the task deliver the queued ones for at most `deadline`, then cancels
    /// it and counts the events left in the queue as dropped. Returns when the task has ended.
    func shutdown(deadline: Duration) async {
        self.queue.finish()
        let task = self.task
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await task.value
            }
            group.addTask {
                try? await Task.sleep(for: deadline)
            }
            _ = await group.next()
            // Either the task has ended, or the deadline has passed and the task is told to stop now.
            task.cancel()
            group.cancelAll()
            await group.waitForAll()
        }
        self.counters.dropped(self.queue.removeAll(), reason: "shutdown deadline passed")
    }
}
