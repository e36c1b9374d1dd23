import Testing

@testable import TollgateMedia
import TollgateTestSupport

@Suite("SRTP and SRTCP contexts")
struct SRTPContextTests {
    static func pair(_ profile: SRTPProtectionProfile) -> (sender: SRTPContext, receiver: SRTPContext) {
        let key = SRTPMasterKey.random(profile: profile)
        return (SRTPContext(key: key), SRTPContext(key: key))
    }

    @Test("every suite protects RTP and RTCP and gets the same bytes back", arguments: SRTPProtectionProfile.allCases)
    func roundTrip(profile: SRTPProtectionProfile) throws {
        var (sender, receiver) = Self.pair(profile)
        let original = rtpPacket(sequence: 7, csrcs: [1, 2], extensionWords: [0x1020_3040])
        var packet = original
        try sender.protectRTP(&packet)
        #expect(packet.count == original.count + profile.rtpTagLength)
        #expect(packet[..<24] == original[..<24], "the header, CSRCs and extension stay in clear")
        #expect(packet[24..<original.count] != original[24...], "the payload is encrypted")
        try receiver.unprotectRTP(&packet)
        #expect(packet == original)

        let report = rtcpPacket()
        var control = report
        try sender.protectRTCP(&control)
        #expect(control.count == report.count + 4 + profile.rtcpTagLength)
        #expect(control[8..<report.count] != report[8...])
        try receiver.unprotectRTCP(&control)
        #expect(control == report)
    }

    @Test("the 32-bit suites put 4 bytes of tag on RTP and keep 10 on RTCP")
    func shortTag() throws {
        var (sender, _) = Self.pair(.aesCM128HMACSHA1_32)
        var packet = rtpPacket(sequence: 1)
        try sender.protectRTP(&packet)
        #expect(packet.count == 12 + 160 + 4)
        var control = rtcpPacket()
        try sender.protectRTCP(&control)
        #expect(control.count == 32 + 4 + 10)
    }

    @Test("sequence numbers that wrap 65535 → 0 carry the rollover counter, late packets from before the wrap too",
          arguments: [SRTPProtectionProfile.aesCM128HMACSHA1_80, .aeadAES128GCM])
    func wrap(profile: SRTPProtectionProfile) throws {
        var (sender, receiver) = Self.pair(profile)
        var sent: [UInt16: [UInt8]] = [:]
        for sequence in [UInt16(65_530), 65_531, 65_532, 65_533, 65_534, 65_535, 0, 1, 2, 3] {
            var packet = rtpPacket(sequence: sequence, payload: [UInt8](repeating: UInt8(truncatingIfNeeded: sequence), count: 20))
            try sender.protectRTP(&packet)
            sent[sequence] = packet
        }
        #expect(sender.rolloverCounter(of: 0xCAFE_BABE) == 1)
        // Arrival order: across the wrap, then two stragglers from before it.
        for sequence in [UInt16(65_530), 65_531, 65_532, 65_535, 0, 1, 65_533, 2, 65_534, 3] {
            var packet = sent[sequence]!
            try receiver.unprotectRTP(&packet)
            #expect(packet.suffix(20) == [UInt8](repeating: UInt8(truncatingIfNeeded: sequence), count: 20), "sequence \(sequence)")
        }
        #expect(receiver.rolloverCounter(of: 0xCAFE_BABE) == 1)
    }

    @Test("a replayed packet is refused, and one older than the 128-packet window", arguments: SRTPProtectionProfile.allCases)
    func replay(profile: SRTPProtectionProfile) throws {
        var (sender, receiver) = Self.pair(profile)
        var packets: [[UInt8]] = []
        for sequence in UInt16(100)..<UInt16(400) {
            var packet = rtpPacket(sequence: sequence, payload: [1, 2, 3])
            try sender.protectRTP(&packet)
            packets.append(packet)
        }
        var first = packets[0]
        try receiver.unprotectRTP(&first)
        var again = packets[0]
        #expect(throws: SRTPError.replayed(index: 100)) { try receiver.unprotectRTP(&again) }
        var latest = packets[299]
        try receiver.unprotectRTP(&latest)
        var withinWindow = packets[299 - 127]
        try receiver.unprotectRTP(&withinWindow)
        var outside = packets[299 - 128]
        #expect(throws: SRTPError.tooOld(index: 271)) { try receiver.unprotectRTP(&outside) }

        var control = rtcpPacket()
        try sender.protectRTCP(&control)
        var copy = control
        try receiver.unprotectRTCP(&control)
        #expect(throws: SRTPError.replayed(index: 0)) { try receiver.unprotectRTCP(&copy) }
    }

    @Test("a tampered header, payload or tag fails authentication and changes nothing", arguments: SRTPProtectionProfile.allCases)
    func tampering(profile: SRTPProtectionProfile) throws {
        var (sender, receiver) = Self.pair(profile)
        var packet = rtpPacket(sequence: 500)
        try sender.protectRTP(&packet)
        for offset in [1, 3, 11, 20, packet.count - 1] {
            var forged = packet
            forged[offset] ^= 0x01
            #expect(throws: SRTPError.authenticationFailed) { try receiver.unprotectRTP(&forged) }
            #expect(forged[offset] == packet[offset] ^ 0x01, "the forged packet is left as it came")
        }
        var genuine = packet
        try receiver.unprotectRTP(&genuine)
        #expect(genuine == rtpPacket(sequence: 500))

        var control = rtcpPacket()
        try sender.protectRTCP(&control)
        var forged = control
        forged[12] ^= 0x80
        #expect(throws: SRTPError.authenticationFailed) { try receiver.unprotectRTCP(&forged) }
        try receiver.unprotectRTCP(&control)
    }

    @Test("another key fails authentication")
    func wrongKey() throws {
        var sender = SRTPContext(key: .random(profile: .aesCM128HMACSHA1_80))
        var receiver = SRTPContext(key: .random(profile: .aesCM128HMACSHA1_80))
        var packet = rtpPacket(sequence: 1)
        try sender.protectRTP(&packet)
        #expect(throws: SRTPError.authenticationFailed) { try receiver.unprotectRTP(&packet) }
    }

    @Test("a new SSRC starts its own stream; the old one keeps its rollover counter")
    func ssrcChange() throws {
        var (sender, receiver) = Self.pair(.aesCM128HMACSHA1_80)
        for sequence in [UInt16(65_535), 0] {
            var packet = rtpPacket(sequence: sequence, ssrc: 1)
            try sender.protectRTP(&packet)
            try receiver.unprotectRTP(&packet)
        }
        var other = rtpPacket(sequence: 40_000, ssrc: 2)
        try sender.protectRTP(&other)
        try receiver.unprotectRTP(&other)
        #expect(receiver.rolloverCounter(of: 1) == 1)
        #expect(receiver.rolloverCounter(of: 2) == 0)
    }

    @Test("a new key keeps each stream's rollover counter; the same key changes nothing")
    func rekeyKeepsRolloverCounter() throws {
        var (sender, receiver) = Self.pair(.aesCM128HMACSHA1_80)
        for sequence in [UInt16(65_534), 65_535, 0, 1] {
            var packet = rtpPacket(sequence: sequence)
            try sender.protectRTP(&packet)
            try receiver.unprotectRTP(&packet)
        }
        receiver.rekey(receiver.key)
        #expect(receiver.rolloverCounter(of: 0xCAFE_BABE) == 1)
        let newKey = SRTPMasterKey.random(profile: .aeadAES128GCM)
        sender.rekey(newKey)
        receiver.rekey(newKey)
        var packet = rtpPacket(sequence: 2)
        try sender.protectRTP(&packet)
        try receiver.unprotectRTP(&packet)
        #expect(packet == rtpPacket(sequence: 2))
        #expect(receiver.rolloverCounter(of: 0xCAFE_BABE) == 1)
    }

    @Test("protecting the same index twice is refused: it would reuse keystream")
    func indexReuse() throws {
        var (sender, _) = Self.pair(.aesCM128HMACSHA1_80)
        var first = rtpPacket(sequence: 9)
        try sender.protectRTP(&first)
        var second = rtpPacket(sequence: 9)
        #expect(throws: SRTPError.indexReused(index: 9)) { try sender.protectRTP(&second) }
        #expect(second == rtpPacket(sequence: 9))
    }

    @Test("malformed packets are refused with a reason", arguments: [
        ([UInt8](repeating: 0x80, count: 11), "shorter than an RTP header"),
        ([0x40] + [UInt8](repeating: 0, count: 40), "RTP version 1"),
        ([0x8F] + [UInt8](repeating: 0, count: 40), "CSRCs run past the end"),
        ([0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 20), "header extension runs past the end"),
    ])
    func malformed(bytes: [UInt8], reason: String) throws {
        var (sender, receiver) = Self.pair(.aesCM128HMACSHA1_80)
        var packet = bytes
        do {
            try sender.protectRTP(&packet)
            Issue.record("a malformed packet was protected")
        } catch {
            guard case .malformedPacket(let text) = error else { Issue.record("\(error)"); return }
            #expect(text.contains(reason))
        }
        do {
            try receiver.unprotectRTP(&packet)
            Issue.record("a malformed packet was accepted")
        } catch {
            guard case .malformedPacket = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("a master key of the wrong length is refused, and a key's description hides it")
    func keys() throws {
        #expect(throws: SRTPError.wrongKeyLength(profile: .aesCM128HMACSHA1_80, length: 29)) {
            try SRTPMasterKey(profile: .aesCM128HMACSHA1_80, keyAndSalt: [UInt8](repeating: 1, count: 29))
        }
        let key = try SRTPMasterKey(profile: .aeadAES256GCM, keyAndSalt: [UInt8](repeating: 0x41, count: 44))
        #expect(key.key.count == 32 && key.salt.count == 12)
        #expect("\(key)" == "SRTPMasterKey(AEAD_AES_256_GCM, redacted)")
        // Nor do the values that carry keys: a stream's plan, printed, dumped or reflected.
        var plan = MediaStreamPlan(kind: .rtp, localPort: 20_000)
        plan.inboundKey = key
        var dumped = ""
        dump(plan, to: &dumped)
        for text in ["\(plan)", String(reflecting: plan), dumped] {
            #expect(!text.contains("65, 65") && !text.contains("QUFB"), "\(text)")
        }
        #expect(SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80) != SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80))
    }

    @Test("random bytes and mutated packets never pass, never crash", arguments: SRTPProtectionProfile.allCases)
    func fuzz(profile: SRTPProtectionProfile) throws {
        var generator = SeededGenerator(seed: 0x5EED_0000 + UInt64(profile.rtpTagLength))
        var (sender, receiver) = Self.pair(profile)
        var genuine: [[UInt8]] = []
        for sequence in UInt16(0)..<64 {
            var packet = rtpPacket(sequence: sequence, payload: (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try sender.protectRTP(&packet)
            genuine.append(packet)
        }
        for round in 0..<2_000 {
            var packet: [UInt8]
            if round % 2 == 0 {
                packet = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                packet = genuine[round % genuine.count]
                let flips = Int.random(in: 1...4, using: &generator)
                for _ in 0..<flips where !packet.isEmpty {
                    packet[Int.random(in: 0..<packet.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                }
                if Bool.random(using: &generator) { packet.removeLast(Int.random(in: 0...min(packet.count, 20), using: &generator)) }
            }
            var copy = packet
            #expect(throws: SRTPError.self) { try receiver.unprotectRTP(&copy) }
            copy = packet
            #expect(throws: SRTPError.self) { try receiver.unprotectRTCP(&copy) }
        }
    }
}
