/// Shield keeps times as `Float` seconds since the engine's epoch (``ShieldEngine`` moves the epoch
/// forward once a day, so precision stays near 1/100 s), halving the size of every per-source
/// counter against `Double` times.
typealias Tick = Float

/// A token bucket: `rate` tokens per second refill it up to `capacity`; each request takes one.
/// A bucket with rate 0 never limits.
struct TokenBucket: Sendable {
    private(set) var tokens: Float
    private var last: Tick

    init(capacity: Double, now: Tick) {
        tokens = Float(capacity)
        last = now
    }

    /// Takes one token if there is one; refills for the time passed first.
    @inline(__always)
    mutating func take(rate: Double, capacity: Double, now: Tick) -> Bool {
        guard rate > 0 else { return true }
        let elapsed = now - last
        if elapsed > 0 {
            tokens = min(Float(capacity), tokens + elapsed * Float(rate))
            last = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Moves the time origin `delta` seconds forward.
    mutating func shift(by delta: Tick) { last -= delta }
}

/// Counts events in a fixed window that restarts when it has passed: cheap, bounded, and exact
/// enough for "N in W seconds" rules (a burst straddling two windows can take up to 2N-1 to trip).
struct WindowCounter: Sendable {
    private(set) var count: Int32 = 0
    private var start: Tick = -.infinity

    /// Adds `amount` (one by default) at `now` and returns the count in the current window.
    @inline(__always)
    mutating func add(_ amount: Int32 = 1, now: Tick, window: Double) -> Int {
        if now - start >= Float(window) {
            start = now
            count = 0
        }
        count &+= amount
        return Int(count)
    }

    mutating func reset() {
        count = 0
        start = -.infinity
    }

    mutating func shift(by delta: Tick) { start -= delta }
}

/// How many distinct values (users, destinations, sources) were seen in a window, remembering at
/// most `limit` 64-bit hashes so memory stays bounded whatever an attacker sends. The first value
/// is kept inline: a source that only ever uses one user (every honest phone) allocates nothing.
struct DistinctCounter: Sendable {
    private var first: UInt64 = 0
    private var hasFirst = false
    private var more: [UInt64] = []
    private var start: Tick = -.infinity

    /// Records `value` and returns the distinct count in the current window (capped at `limit`).
    mutating func add(_ value: UInt64, now: Tick, window: Double, limit: Int) -> Int {
        if now - start >= Float(window) {
            start = now
            hasFirst = false
            more.removeAll(keepingCapacity: true)
        }
        if !hasFirst {
            first = value
            hasFirst = true
        } else if value != first, 1 + more.count < limit, !more.contains(value) {
            more.append(value)
        }
        return (hasFirst ? 1 : 0) + more.count
    }

    mutating func reset() { self = DistinctCounter() }

    mutating func shift(by delta: Tick) { start -= delta }
}

/// A stable 64-bit FNV-1a hash of text, case-folded for ASCII (user parts compare case-blind).
@inline(__always)
func stableHash(_ text: some StringProtocol) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
        hash = (hash ^ UInt64(folded)) &* 0x100_0000_01b3
    }
    return hash
}
