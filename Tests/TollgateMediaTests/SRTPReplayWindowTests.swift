import Testing

@testable import TollgateMedia
import TollgateTestSupport

@Suite("SRTP replay list and index estimate")
struct SRTPReplayWindowTests {
    @Test("the window accepts new indices, refuses repeats and those 128 or more behind")
    func window() {
        var window = SRTPReplayWindow()
        #expect(window.check(5) == .fresh)
        window.accept(5)
        #expect(window.check(5) == .replayed)
        window.accept(200)
        #expect(window.check(5) == .tooOld)
        #expect(window.check(72) == .tooOld)
        #expect(window.check(73) == .fresh)
        window.accept(73)
        #expect(window.check(73) == .replayed)
        #expect(window.check(136) == .fresh)
        window.accept(136)
        #expect(window.check(136) == .replayed)
        window.accept(200)
        #expect(window.check(136) == .replayed, "64 behind: still remembered across the word boundary")
        #expect(window.check(137) == .fresh)
        window.accept(264)
        #expect(window.check(136) == .tooOld, "128 behind: out of the window")
        window.accept(1_000_000)
        #expect(window.check(264) == .tooOld)
        #expect(window.check(999_999) == .fresh)
    }

    @Test("a window matches a set of accepted indices, whatever the order")
    func windowAgainstSet() {
        var generator = SeededGenerator(seed: 42)
        var window = SRTPReplayWindow()
        var seen = Set<UInt64>()
        var highest: UInt64 = 0
        for _ in 0..<20_000 {
            let index = UInt64.random(in: highest.saturatingSubtract(200)...(highest + 70), using: &generator)
            let expected: SRTPReplayWindow.Verdict = seen.isEmpty || index > highest ? .fresh
                : highest - index >= 128 ? .tooOld : seen.contains(index) ? .replayed : .fresh
            #expect(window.check(index) == expected)
            if expected == .fresh {
                window.accept(index)
                seen.insert(index)
                highest = max(highest, index)
            }
        }
    }

    @Test("the rollover counter guess follows RFC 3711 Appendix A", arguments: [
        // (ROC, s_l, SEQ, guessed ROC)
        (UInt32(0), UInt16(100), UInt16(101), UInt32(0)),
        (0, 65_500, 10, 1),
        (1, 10, 65_500, 0),
        (1, 40_000, 7_233, 1),
        (1, 40_000, 7_231, 2),
        (3, 32_767, 65_535, 3),
        (3, 0, 32_769, 2),
    ])
    func estimate(rolloverCounter: UInt32, highest: UInt16, sequence: UInt16, expected: UInt32) throws {
        let state = SRTPStreamState(rolloverCounter: rolloverCounter, highestSequence: highest)
        let guess = try #require(state.estimate(sequence))
        #expect(guess.rolloverCounter == expected)
        #expect(guess.index == UInt64(expected) << 16 | UInt64(sequence))
    }

    @Test("a packet from before the first wrap with ROC 0 has no index")
    func beforeTheStart() {
        #expect(SRTPStreamState(rolloverCounter: 0, highestSequence: 10).estimate(65_000) == nil)
    }
}

extension UInt64 {
    fileprivate func saturatingSubtract(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
