/// The replay list of one stream (RFC 3711 §3.3.2): the highest index accepted and a 128-packet
/// bitmap of those just below it (libsrtp's default width).
struct SRTPReplayWindow: Sendable, Hashable {
    /// How far below the highest index a packet may arrive and still be accepted.
    static let width: UInt64 = 128

    enum Verdict: Equatable {
        case fresh
        case replayed
        case tooOld
    }

    /// The highest index accepted; meaningless until ``isEmpty`` is false.
    private(set) var highest: UInt64 = 0
    /// Bit `n` of the 128 is set when index `highest - n` was accepted (`lowWord` holds 0–63).
    private var lowWord: UInt64 = 0
    private var highWord: UInt64 = 0
    private(set) var isEmpty = true

    /// Whether `index` may be accepted. Does not change the window.
    func check(_ index: UInt64) -> Verdict {
        if isEmpty || index > highest { return .fresh }
        let delta = highest - index
        guard delta < Self.width else { return .tooOld }
        return isSet(delta) ? .replayed : .fresh
    }

    /// Records `index` as received (after its packet was authenticated).
    mutating func accept(_ index: UInt64) {
        if isEmpty {
            isEmpty = false
            highest = index
            lowWord = 1
            highWord = 0
            return
        }
        if index > highest {
            shift(by: index - highest)
            highest = index
            lowWord |= 1
        } else {
            let delta = highest - index
            guard delta < Self.width else { return }
            if delta < 64 { lowWord |= 1 << delta } else { highWord |= 1 << (delta - 64) }
        }
    }

    private func isSet(_ delta: UInt64) -> Bool {
        delta < 64 ? lowWord & (1 << delta) != 0 : highWord & (1 << (delta - 64)) != 0
    }

    private mutating func shift(by distance: UInt64) {
        if distance >= 128 {
            lowWord = 0
            highWord = 0
        } else if distance >= 64 {
            highWord = lowWord << (distance - 64)
            lowWord = 0
        } else if distance > 0 {
            highWord = (highWord << distance) | (lowWord >> (64 - distance))
            lowWord <<= distance
        }
    }
}
