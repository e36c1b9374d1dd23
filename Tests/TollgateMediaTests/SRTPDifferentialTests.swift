import Testing

@testable import TollgateMedia

/// Tollgate's SRTP against libsrtp's, packet for packet.
@Suite("SRTP against libsrtp", .enabled(if: LibsrtpOracle.isInstalled || LibsrtpOracle.isRequired,
                                         "pylibsrtp is not installed (pip install pylibsrtp; scripts/test does it)"))
struct SRTPDifferentialTests {
    static let profiles: [SRTPProtectionProfile] = [.aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32, .aeadAES128GCM, .aeadAES256GCM]

    /// Sequence numbers as sent: across the 65535 → 0 wrap.
    static let sent: [UInt16] = Array(65_500...65_535) + Array(0...40)
    /// The order they arrive in: neighbours swapped, one straggler from before the wrap.
    static var arrival: [UInt16] {
        var order = sent
        for position in stride(from: 1, to: order.count - 1, by: 7) { order.swapAt(position, position + 1) }
        if let late = order.firstIndex(of: 65_534), let after = order.firstIndex(of: 3) { order.insert(order.remove(at: late), at: after) }
        return order
    }

    static func payload(_ sequence: UInt16) -> [UInt8] { (0..<160).map { UInt8(truncatingIfNeeded: Int(sequence) &* 31 &+ $0) } }

    @Test("Tollgate's protected packets are libsrtp's, byte for byte, and libsrtp takes them in any order", arguments: profiles)
    func tollgateProtects(profile: SRTPProtectionProfile) throws {
        let oracle = try LibsrtpOracle()
        let key = SRTPMasterKey.random(profile: profile)
        try oracle.session("out", profile: profile.sdesName, keyAndSalt: key.keyAndSalt, inbound: false)
        try oracle.session("in", profile: profile.sdesName, keyAndSalt: key.keyAndSalt, inbound: true)
        var sender = SRTPContext(key: key)
        var protected: [UInt16: [UInt8]] = [:]
        for sequence in Self.sent {
            var packet = rtpPacket(sequence: sequence, payload: Self.payload(sequence))
            let theirs = try oracle.run("rtp-protect", "out", packet)
            try sender.protectRTP(&packet)
            #expect(packet == theirs, "sequence \(sequence)")
            protected[sequence] = packet
        }
        for sequence in Self.arrival {
            let clear = try oracle.run("rtp-unprotect", "in", protected[sequence]!)
            #expect(clear == rtpPacket(sequence: sequence, payload: Self.payload(sequence)))
        }
        for index in 0..<3 {
            var report = rtcpPacket()
            report[12] = UInt8(index)
            var control = report
            try sender.protectRTCP(&control)
            #expect(try oracle.run("rtcp-unprotect", "in", control) == report)
        }
    }

    @Test("libsrtp's protected packets unprotect here in any order; replays, forgeries and other SSRCs alike", arguments: profiles)
    func libsrtpProtects(profile: SRTPProtectionProfile) throws {
        let oracle = try LibsrtpOracle()
        let key = SRTPMasterKey.random(profile: profile)
        try oracle.session("out", profile: profile.sdesName, keyAndSalt: key.keyAndSalt, inbound: false)
        var receiver = SRTPContext(key: key)
        var protected: [UInt16: [UInt8]] = [:]
        for sequence in Self.sent {
            protected[sequence] = try oracle.run("rtp-protect", "out", rtpPacket(sequence: sequence, payload: Self.payload(sequence)))
        }
        for sequence in Self.arrival {
            var packet = protected[sequence]!
            try receiver.unprotectRTP(&packet)
            #expect(packet == rtpPacket(sequence: sequence, payload: Self.payload(sequence)), "sequence \(sequence)")
        }
        #expect(receiver.rolloverCounter(of: 0xCAFE_BABE) == 1)

        var replayed = protected[40]!
        #expect(throws: SRTPError.replayed(index: 1 << 16 | 40)) { try receiver.unprotectRTP(&replayed) }
        var forged = try oracle.run("rtp-protect", "out", rtpPacket(sequence: 41, payload: Self.payload(41)))
        forged[forged.count - 1] ^= 0x55
        #expect(throws: SRTPError.authenticationFailed) { try receiver.unprotectRTP(&forged) }

        // A second SSRC from the same sender (a phone that restarts its stream on hold) starts at ROC 0.
        var other = try oracle.run("rtp-protect", "out", rtpPacket(sequence: 1_000, ssrc: 0x1234_5678, payload: Self.payload(1)))
        try receiver.unprotectRTP(&other)
        #expect(receiver.rolloverCounter(of: 0x1234_5678) == 0)

        for index in 0..<3 {
            var report = rtcpPacket()
            report[12] = UInt8(index)
            var control = try oracle.run("rtcp-protect", "out", report)
            let copy = control
            try receiver.unprotectRTCP(&control)
            #expect(control == report)
            var again = copy
            #expect(throws: SRTPError.self) { try receiver.unprotectRTCP(&again) }
        }
    }
}
