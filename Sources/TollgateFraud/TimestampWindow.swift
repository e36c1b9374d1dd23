import Foundation

/// The times of recent events within a sliding window, to count "how many in the last N
/// seconds" exactly. At most `capacity` times are kept (the newest), so the count saturates there:
/// the capacity is one more than the highest level that is compared against it.
struct TimestampWindow: Sendable, Hashable {
    let length: TimeInterval
    let capacity: Int
    private var times: [Double] = []
    private var head = 0

    init(length: TimeInterval, capacity: Int) {
        self.length = length
        self.capacity = max(1, capacity)
    }

    /// Events still in the window at `now` (an event counts while `now - time < length`).
    mutating func count(at now: Date) -> Int {
        drop(before: now)
        return times.count - head
    }

    /// Records an event at `time`.
    mutating func record(_ time: Date) {
        drop(before: time)
        times.append(time.timeIntervalSince1970)
        if times.count - head > capacity { head += 1 }
        if head > 64 && head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
    }

    /// The oldest event still counted, if any.
    var oldest: Date? { head < times.count ? Date(timeIntervalSince1970: times[head]) : nil }

    /// The same times (the newest `capacity` of them) in a window holding `capacity`.
    func resized(capacity: Int) -> TimestampWindow {
        var window = TimestampWindow(length: length, capacity: capacity)
        window.times = Array(times[head...].suffix(window.capacity))
        return window
    }

    mutating func removeAll() {
        times.removeAll(keepingCapacity: false)
        head = 0
    }

    private mutating func drop(before now: Date) {
        let limit = now.timeIntervalSince1970 - length
        while head < times.count, times[head] <= limit { head += 1 }
        if head == times.count {
            times.removeAll(keepingCapacity: true)
            head = 0
        }
    }
}
