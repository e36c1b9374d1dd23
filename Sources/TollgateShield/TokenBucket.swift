/// A token bucket: `rate` tokens per second refill it up to `capacity`; each request takes one.
/// A bucket with rate 0 never limits. Times are seconds on any monotonic scale.
struct TokenBucket: Sendable {
    private(set) var tokens: Float
    private var last: Double

    init(capacity: Double, now: Double) {
        tokens = Float(capacity)
        last = now
    }

    /// Takes one token if there is one; refills for the time passed first.
    @inline(__always)
    mutating func take(rate: Double, capacity: Double, now: Double) -> Bool {
        guard rate > 0 else { return true }
        let elapsed = now - last
        if elapsed > 0 {
            tokens = Float(min(capacity, Double(tokens) + elapsed * rate))
            last = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// Counts events in a fixed window that restarts when it has passed: cheap, bounded, and exact
/// enough for "N in W seconds" rules (a burst straddling two windows can take up to 2N-1 to trip).
struct WindowCounter: Sendable {
    private(set) var count: Int32 = 0
    private var start: Double = -.infinity

    /// Adds `amount` at `now` and returns the count in the current window.
    @inline(__always)
    mutating func add(_ amount: Int32 = 1, now: Double, window: Double) -> Int {
        if now - start >= window {
            start = now
            count = 0
        }
        count &+= amount
        return Int(count)
    }

    /// The count now (0 when the window has passed).
    func current(now: Double, window: Double) -> Int { now - start >= window ? 0 : Int(count) }

    mutating func reset() {
        count = 0
        start = -.infinity
    }
}

/// How many distinct values (users, destinations, sources) were seen in a window, remembering at
/// most `limit` 64-bit hashes so memory stays bounded whatever an attacker sends.
struct DistinctCounter: Sendable {
    private var hashes: [UInt64] = []
    private var start: Double = -.infinity

    /// Records `value` and returns the distinct count in the current window (capped at `limit`).
    mutating func add(_ value: UInt64, now: Double, window: Double, limit: Int) -> Int {
        if now - start >= window {
            start = now
            hashes.removeAll(keepingCapacity: true)
        }
        if hashes.count < limit, !hashes.contains(value) { hashes.append(value) }
        return hashes.count
    }

    var isEmpty: Bool { hashes.isEmpty }

    mutating func reset() {
        hashes = []
        start = -.infinity
    }
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
