import NIOCore

/// A hashed timing wheel for the proxy's transaction timers, driven by one repeated task on the
/// event loop.
///
/// A busy gateway holds hundreds of thousands of 32-second transaction timers. Scheduling each on
/// the event loop's priority queue costs O(log n) to add and O(n) to cancel; here adding and
/// cancelling are O(1) and a tick touches only its own slot. Resolution is one tick (10 ms).
/// Confined to the event loop: `@unchecked Sendable` only so that the loop's repeated task can
/// hold it; every use, the task's included, is on that loop.
final class TimerWheel: @unchecked Sendable {
    /// Cancels a scheduled action; cancelling twice or after it fired does nothing.
    final class Handle {
        fileprivate var cancelled = false
        func cancel() { cancelled = true }
    }

    private struct Entry {
        var tick: Int64
        var handle: Handle
        var action: () -> Void
    }

    private let eventLoop: EventLoop
    private let tickNanoseconds: Int64
    private var slots: [[Entry]]
    private var currentTick: Int64
    private let origin: NIODeadline
    private var driver: RepeatedTask?
    private(set) var count = 0

    init(eventLoop: EventLoop, tick: TimeAmount = .milliseconds(10), slots: Int = 4096) {
        self.eventLoop = eventLoop
        self.tickNanoseconds = tick.nanoseconds
        self.slots = Array(repeating: [], count: slots)
        self.origin = eventLoop.now
        self.currentTick = 0
    }

    /// Starts the repeated task that advances the wheel.
    func start() {
        guard driver == nil else { return }
        driver = eventLoop.scheduleRepeatedTask(initialDelay: .nanoseconds(tickNanoseconds), delay: .nanoseconds(tickNanoseconds)) { [weak self] _ in
            self?.advance()
        }
    }

    func stop() {
        driver?.cancel()
        driver = nil
    }

    /// Runs `action` on the event loop after `delay` (rounded up to the next tick).
    @discardableResult
    func schedule(after delay: TimeAmount, _ action: @escaping () -> Void) -> Handle {
        let ticks = max(1, (delay.nanoseconds + tickNanoseconds - 1) / tickNanoseconds)
        let due = nowTick() + ticks
        let handle = Handle()
        slots[Int(due % Int64(slots.count))].append(Entry(tick: due, handle: handle, action: action))
        count += 1
        return handle
    }

    private func nowTick() -> Int64 {
        max(currentTick, Int64(eventLoop.now.uptimeNanoseconds &- origin.uptimeNanoseconds) / tickNanoseconds)
    }

    /// Fires every action due up to now.
    func advance() {
        let target = (Int64(eventLoop.now.uptimeNanoseconds &- origin.uptimeNanoseconds)) / tickNanoseconds
        while currentTick < target {
            currentTick += 1
            let index = Int(currentTick % Int64(slots.count))
            guard !slots[index].isEmpty else { continue }
            let entries = slots[index]
            slots[index].removeAll(keepingCapacity: true)
            for entry in entries {
                if entry.tick > currentTick {
                    slots[index].append(entry)
                    continue
                }
                count -= 1
                if !entry.handle.cancelled { entry.action() }
            }
        }
    }
}
