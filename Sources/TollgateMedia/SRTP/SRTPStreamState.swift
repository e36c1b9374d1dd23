/// What one SSRC's stream remembers between packets (RFC 3711 §3.2.1): the rollover counter, the
/// highest sequence number, and the replay list. It outlives a change of key: a re-INVITE with a new
/// key continues the sender's packet index, so the rollover counter is never reset by a rekey.
/// A per-SSRC state that records when it was last used, so the idle one can make way.
protocol SRTPIdleTracked {
    var lastUsed: UInt64 { get }
}

struct SRTPStreamState: SRTPIdleTracked, Sendable, Hashable {
    /// ROC: how many times the 16-bit sequence number has wrapped.
    var rolloverCounter: UInt32
    /// s_l: the highest sequence number accepted under ``rolloverCounter``.
    var highestSequence: UInt16
    var replay = SRTPReplayWindow()
    /// When the stream was last used, in packets of the context; for evicting idle SSRCs.
    var lastUsed: UInt64 = 0

    init(rolloverCounter: UInt32 = 0, highestSequence: UInt16) {
        self.rolloverCounter = rolloverCounter
        self.highestSequence = highestSequence
    }

    /// The guess of the sender's rollover counter for `sequence` (RFC 3711 Appendix A): one more
    /// when the number has wrapped since s_l, one less for a late packet from before the wrap. Nil for
    /// a packet that would come from before the stream's first wrap-around with ROC 0 (index below zero).
    func estimate(_ sequence: UInt16) -> (rolloverCounter: UInt32, index: UInt64)? {
        var guess = rolloverCounter
        if highestSequence < 0x8000 {
            if Int(sequence) - Int(highestSequence) > 0x8000 {
                guard guess > 0 else { return nil }
                guess -= 1
            }
        } else {
            if Int(highestSequence) - 0x8000 > Int(sequence) { guess &+= 1 }
        }
        return (guess, UInt64(guess) << 16 | UInt64(sequence))
    }

    /// Records an authenticated packet (RFC 3711 §3.3.1): s_l and ROC move forward only.
    mutating func update(rolloverCounter guess: UInt32, sequence: UInt16, index: UInt64) {
        if guess == rolloverCounter &+ 1 {
            rolloverCounter = guess
            highestSequence = sequence
        } else if guess == rolloverCounter, sequence > highestSequence {
            highestSequence = sequence
        }
        replay.accept(index)
    }
}

/// One SSRC's SRTCP state: the next index to send, and the replay list of those received.
struct SRTCPStreamState: SRTPIdleTracked, Sendable, Hashable {
    var nextIndex: UInt32 = 0
    var replay = SRTPReplayWindow()
    var lastUsed: UInt64 = 0
}
