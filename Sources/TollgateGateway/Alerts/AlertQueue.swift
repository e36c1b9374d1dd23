import NIOConcurrencyHelpers
import NIOCore
import TollgateStore
import TollgateModel

/// The bounded, first-in first-out queue between ``AlertSink/deliver(_:)`` and a sink's background
/// task.
///
/// ``enqueue(_:)`` never waits: when the queue is full the oldest queued event makes room and is
/// counted as dropped. One consumer takes events with ``next()``; once the queue is finished, or the
/// consumer's task is cancelled, ``next()`` returns `nil`.
final class AlertQueue: Sendable {
    private struct State {
        var events: CircularBuffer<SecurityEvent>
        var waiter: CheckedContinuation<SecurityEvent?, Never>?
        var isFinished = false
    }

    /// What ``enqueue(_:)`` did, decided under the lock and acted on outside it.
    private enum EnqueueOutcome {
        case handedOver(CheckedContinuation<SecurityEvent?, Never>)
        case queued
        case droppedOldest
        case refused
    }

    /// The most events held at once.
    let capacity: Int
    private let counters: AlertSinkCounters
    private let state: NIOLockedValueBox<State>

    init(capacity: Int, counters: AlertSinkCounters) {
        self.capacity = capacity
        self.counters = counters
        self.state = NIOLockedValueBox(State(events: CircularBuffer(initialCapacity: min(capacity, 64))))
    }

    /// The number of events waiting.
    var count: Int {
        self.state.withLockedValue { $0.events.count }
    }

    /// Adds `event` at the end, dropping the oldest event if the queue is full. After ``finish()`` the
    /// event is refused and counted as dropped.
    func enqueue(_ event: SecurityEvent) {
        let outcome = self.state.withLockedValue { state -> EnqueueOutcome in
            if state.isFinished {
                return .refused
            }
            if let waiter = state.waiter {
                state.waiter = nil
                return .handedOver(waiter)
            }
            if state.events.count >= self.capacity {
                state.events.removeFirst()
                state.events.append(event)
                return .droppedOldest
            }
            state.events.append(event)
            return .queued
        }
        switch outcome {
        case .handedOver(let waiter):
            waiter.resume(returning: event)
        case .queued:
            break
        case .droppedOldest:
            self.counters.dropped(reason: "queue full, oldest event dropped")
        case .refused:
            self.counters.dropped(reason: "sink shut down")
        }
    }

    /// The oldest event, waiting for one if the queue is empty; `nil` once the queue is finished and
    /// empty, or when the calling task is cancelled. Only one task may call this.
    func next() async -> SecurityEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<SecurityEvent?, Never>) in
                let ready = self.state.withLockedValue { state -> SecurityEvent?? in
                    if Task.isCancelled {
                        return .some(nil)
                    }
                    if let event = state.events.popFirst() {
                        return .some(event)
                    }
                    if state.isFinished {
                        return .some(nil)
                    }
                    precondition(state.waiter == nil, "AlertQueue has one consumer")
                    state.waiter = continuation
                    return .none
                }
                if let ready {
                    continuation.resume(returning: ready)
                }
            }
        } onCancel: {
            self.wakeWaiter()
        }
    }

    /// Refuses further events; ``next()`` hands out what is queued, then returns `nil`.
    func finish() {
        self.state.withLockedValue { $0.isFinished = true }
        self.wakeWaiter()
    }

    /// Removes every queued event and returns how many there were.
    func removeAll() -> Int {
        self.state.withLockedValue { state in
            let count = state.events.count
            state.events.removeAll()
            return count
        }
    }

    private func wakeWaiter() {
        let waiter = self.state.withLockedValue { state in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
