/// Keeps a flood from becoming a flood of events: per kind, source and rule, at most `burst`
/// events in each `window` seconds; the rest are counted and the count is reported with the
/// next event that goes through. Bounded: the table is cleared when it grows past `capacity`.
struct EventThrottle {
    struct Key: Hashable {
        var kind: String
        var source: String
        var rule: String
    }

    private struct Entry {
        var windowStart: Double
        var sent: Int
        var suppressed: Int
    }

    var burst = 5
    var window = 10.0
    var capacity = 50_000
    private var entries: [Key: Entry] = [:]

    /// Whether to emit now; when yes, also how many like it were held back since the last one.
    mutating func admit(_ key: Key, now: Double) -> (emit: Bool, suppressed: Int) {
        if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
        var entry = entries[key] ?? Entry(windowStart: now, sent: 0, suppressed: 0)
        if now - entry.windowStart >= window {
            entry.windowStart = now
            entry.sent = 0
        }
        defer { entries[key] = entry }
        guard entry.sent < burst else {
            entry.suppressed += 1
            return (false, 0)
        }
        entry.sent += 1
        let suppressed = entry.suppressed
        entry.suppressed = 0
        return (true, suppressed)
    }

    /// Forgets windows that have passed.
    mutating func sweep(now: Double) {
        entries = entries.filter { now - $0.value.windowStart < window || $0.value.suppressed > 0 }
    }
}
