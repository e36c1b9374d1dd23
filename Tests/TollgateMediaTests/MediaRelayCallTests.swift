import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import TollgateMedia

/// The per-packet decisions of one call's relay, without sockets: what the media loop would send,
/// from which port, to whom, and what it drops.
@Suite("A call's relay decides each packet alone")
struct MediaRelayCallTests {
    static let now = NIODeadline.uptimeNanoseconds(5_000_000_000)
    /// The descriptors the loop would have given the inside and outside RTP and RTCP ports.
    static let insideRTP: CInt = 40, insideRTCP: CInt = 41, outsideRTP: CInt = 50, outsideRTCP: CInt = 51

    /// A call between a phone at 127.0.0.30:4000 (outside, SRTP when `phoneKey` is given) and a
    /// PBX at 127.0.0.20:10000 (inside, plain RTP).
    static func call(phoneKey: SRTPMasterKey? = nil, tollgateKey: SRTPMasterKey? = nil, strict: Bool = false)
        -> (MediaRelayCall, () -> [MediaEvent]) {
        var events: [MediaEvent] = []
        let call = MediaRelayCall(callID: "c1", strictSource: strict, publish: { _ in }, report: { events.append($0) })
        var inside = MediaStreamPlan(kind: .rtp, localPort: 20_000)
        inside.remoteAddress = "127.0.0.20"
        inside.remotePort = 10_000
        inside.remoteRTCPPort = 10_001
        var outside = MediaStreamPlan(kind: .rtp, localPort: 20_002)
        outside.remoteAddress = "127.0.0.30"
        outside.remotePort = 4_000
        outside.remoteRTCPPort = 4_001
        outside.inboundKey = phoneKey
        outside.outboundKey = tollgateKey
        call.apply([.inside: [inside], .outside: [outside]])
        call.attach(insideRTP, side: .inside, stream: 0, rtcp: false)
        call.attach(insideRTCP, side: .inside, stream: 0, rtcp: true)
        call.attach(outsideRTP, side: .outside, stream: 0, rtcp: false)
        call.attach(outsideRTCP, side: .outside, stream: 0, rtcp: true)
        return (call, { events })
    }

    /// Hands `call` a packet as the loop does and returns the decision with the bytes that would be sent.
    @discardableResult
    static func deliver(_ bytes: [UInt8], to call: MediaRelayCall, from host: String, port: UInt16, side: MediaSide,
                        rtcpPort: Bool = false, at now: NIODeadline = now) throws -> (MediaRelayCall.Forward, [UInt8])? {
        let source = try #require(MediaEndpoint(host: host, port: port))
        var storage = bytes + [UInt8](repeating: 0, count: SRTPContext.maximumOverhead)
        let forward = storage.withUnsafeMutableBytes {
            call.received($0, length: bytes.count, side: side, stream: 0, rtcpPort: rtcpPort, from: source, now: now)
        }
        return forward.map { ($0, Array(storage.prefix($0.length))) }
    }

    @Test("a plain packet from the phone goes out of the inside port to the PBX, unchanged")
    func plainForward() throws {
        let (call, _) = Self.call()
        let packet = rtpPacket(sequence: 7)
        let (forward, sent) = try #require(try Self.deliver(packet, to: call, from: "127.0.0.30", port: 4_000, side: .outside))
        #expect(forward.descriptor == Self.insideRTP)
        #expect(forward.destination == MediaEndpoint(host: "127.0.0.20", port: 10_000))
        #expect(sent == packet)
        #expect(call.statistics.fromOutside.packets == 1)
        #expect(call.statistics.fromOutside.bytes == UInt64(packet.count))
    }

    @Test("RTCP goes from RTCP port to RTCP port")
    func rtcpForward() throws {
        let (call, _) = Self.call()
        // A receiver report: version 2, type 201, length 1 (8 bytes).
        let report: [UInt8] = [0x80, 201, 0, 1, 0, 0, 0, 9]
        let (forward, _) = try #require(try Self.deliver(report, to: call, from: "127.0.0.20", port: 10_001, side: .inside, rtcpPort: true))
        #expect(forward.descriptor == Self.outsideRTCP)
        #expect(forward.destination == MediaEndpoint(host: "127.0.0.30", port: 4_001))
    }

    @Test("SRTP from the phone leaves as plain RTP; the PBX's RTP leaves as SRTP under Tollgate's key")
    func srtpBridge() throws {
        let phoneKey = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
        let tollgateKey = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
        let (call, _) = Self.call(phoneKey: phoneKey, tollgateKey: tollgateKey)
        var phone = SRTPContext(key: phoneKey)
        var packet = rtpPacket(sequence: 1)
        try phone.protectRTP(&packet)
        let (inward, plain) = try #require(try Self.deliver(packet, to: call, from: "127.0.0.30", port: 4_000, side: .outside))
        #expect(inward.descriptor == Self.insideRTP)
        #expect(plain == rtpPacket(sequence: 1))

        let (outward, protected) = try #require(try Self.deliver(rtpPacket(sequence: 9), to: call, from: "127.0.0.20", port: 10_000, side: .inside))
        #expect(outward.descriptor == Self.outsideRTP)
        #expect(protected.count == rtpPacket(sequence: 9).count + 10, "the 80-bit tag is added")
        var receiver = SRTPContext(key: tollgateKey)
        var opened = protected
        try receiver.unprotectRTP(&opened)
        #expect(opened == rtpPacket(sequence: 9))
    }

    @Test("a forged SRTP packet is dropped, counted and reported, and does not move the latch")
    func forgedSRTP() throws {
        let phoneKey = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
        let (call, events) = Self.call(phoneKey: phoneKey, tollgateKey: SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80))
        var forger = SRTPContext(key: SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80))
        var packet = rtpPacket(sequence: 1)
        try forger.protectRTP(&packet)
        #expect(try Self.deliver(packet, to: call, from: "127.0.0.66", port: 6_000, side: .outside) == nil)
        #expect(call.statistics.authenticationFailures == 1)
        #expect(events().map(\.kind) == [.authenticationFailed])
        #expect(events().first?.source == "127.0.0.66")
        // The PBX's answer still goes to the signalled phone, not the forger.
        let (forward, _) = try #require(try Self.deliver(rtpPacket(sequence: 2), to: call, from: "127.0.0.20", port: 10_000, side: .inside))
        #expect(forward.destination == MediaEndpoint(host: "127.0.0.30", port: 4_000))
    }

    @Test("once a plain leg has heard its signalled peer, another source is foreign: dropped, counted, reported once")
    func foreignSource() throws {
        let (call, events) = Self.call()
        #expect(try Self.deliver(rtpPacket(sequence: 1), to: call, from: "127.0.0.30", port: 4_000, side: .outside) != nil)
        for sequence in UInt16(2)...4 {
            #expect(try Self.deliver(rtpPacket(sequence: sequence), to: call, from: "127.0.0.66", port: 4_000, side: .outside) == nil)
        }
        #expect(call.statistics.foreignPackets == 3)
        #expect(events().map(\.kind) == [.foreignSource])
    }

    @Test("a phone behind NAT is latched from its first packet unless strict_source; strict drops it")
    func latching() throws {
        let (loose, _) = Self.call()
        #expect(try Self.deliver(rtpPacket(sequence: 1), to: loose, from: "127.0.0.31", port: 7_000, side: .outside) != nil)
        let (back, _) = try #require(try Self.deliver(rtpPacket(sequence: 1), to: loose, from: "127.0.0.20", port: 10_000, side: .inside))
        #expect(back.destination == MediaEndpoint(host: "127.0.0.31", port: 7_000), "symmetric RTP: sent back where it came from")

        let (strict, _) = Self.call(strict: true)
        #expect(try Self.deliver(rtpPacket(sequence: 1), to: strict, from: "127.0.0.31", port: 7_000, side: .outside) == nil)
        #expect(strict.statistics.foreignPackets == 1)
    }

    @Test("losses are the gaps in each source's sequence numbers, across an SSRC change and back, a wrap, late and repeated packets")
    func losses() throws {
        let (call, _) = Self.call()
        let arrivals: [(UInt16, UInt32)] = [(1, 0xA), (2, 0xA), (5, 0xA), (100, 0xB), (102, 0xB), (6, 0xA), (6, 0xA), (4, 0xA),
                                            (65_535, 0xC), (1, 0xC)]
        for (sequence, ssrc) in arrivals {
            _ = try Self.deliver(rtpPacket(sequence: sequence, ssrc: ssrc), to: call, from: "127.0.0.30", port: 4_000, side: .outside)
        }
        // 3 and 4 of A (4 came late: still lost once counted), 101 of B, 0 of C across the wrap.
        #expect(call.statistics.fromOutside.lost == 4)
        #expect(call.statistics.fromOutside.packets == UInt64(arrivals.count))
    }

    @Test("malformed RTP and an oversized datagram are dropped and counted as malformed")
    func malformed() throws {
        let (call, _) = Self.call()
        #expect(try Self.deliver([0x80, 0, 0], to: call, from: "127.0.0.30", port: 4_000, side: .outside) == nil)
        #expect(try Self.deliver([0x40] + [UInt8](repeating: 0, count: 20), to: call, from: "127.0.0.30", port: 4_000, side: .outside) == nil)
        call.droppedMalformed()
        #expect(call.statistics.malformedPackets == 3)
        #expect(call.statistics.fromOutside.packets == 0)
    }

    @Test("random and mangled datagrams on both sides of an SRTP call: no crash, each one either relayed or dropped and counted")
    func fuzz() throws {
        let phoneKey = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
        let (call, _) = Self.call(phoneKey: phoneKey, tollgateKey: SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80))
        var generator = SystemRandomNumberGenerator()
        var phone = SRTPContext(key: phoneKey)
        var relayed: UInt64 = 0
        let rounds = 4_000
        for round in 0..<rounds {
            var bytes: [UInt8]
            switch round % 4 {
            case 0:
                // Pure noise of any length, up to a jumbo RTP packet.
                bytes = (0..<Int.random(in: 0...400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case 1:
                // A valid header with random CSRC count, extension and padding bits over a short body.
                bytes = rtpPacket(sequence: UInt16(round)) .prefix(Int.random(in: 0...40, using: &generator)).map { $0 }
                if !bytes.isEmpty { bytes[0] = 0x80 | UInt8.random(in: 0...0x3F, using: &generator) }
            case 2:
                // A genuine SRTP packet with one byte flipped.
                bytes = rtpPacket(sequence: UInt16(round))
                try phone.protectRTP(&bytes)
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            default:
                // A genuine one, cut short or padded with junk.
                bytes = rtpPacket(sequence: UInt16(round))
                try phone.protectRTP(&bytes)
                if Bool.random(using: &generator) { bytes.removeLast(Int.random(in: 1...bytes.count, using: &generator)) } else { bytes += [1, 2, 3] }
            }
            let side: MediaSide = round % 3 == 0 ? .inside : .outside
            let host = side == .inside ? "127.0.0.20" : "127.0.0.30"
            if try Self.deliver(bytes, to: call, from: host, port: side == .inside ? 10_000 : 4_000, side: side,
                                rtcpPort: round % 7 == 0) != nil {
                relayed += 1
            }
        }
        let statistics = call.statistics
        let counted = statistics.fromOutside.packets + statistics.fromInside.packets
        let dropped = statistics.malformedPackets + statistics.authenticationFailures + statistics.foreignPackets
        #expect(counted == relayed, "every packet counted as relayed went on")
        #expect(counted + dropped == UInt64(rounds), "every other one is dropped and counted")
        #expect(statistics.authenticationFailures > 0 && statistics.malformedPackets > 0)
    }

    @Test("a closed call forwards nothing and gives back every port's descriptor once")
    func closing() throws {
        let (call, _) = Self.call()
        #expect(Set(call.close()) == [Self.insideRTP, Self.insideRTCP, Self.outsideRTP, Self.outsideRTCP])
        #expect(try Self.deliver(rtpPacket(sequence: 1), to: call, from: "127.0.0.30", port: 4_000, side: .outside) == nil)
        #expect(call.close().isEmpty)
    }

    @Test("counts are published once per burst: the loop is told only the first time they change")
    func publishing() throws {
        var published = 0
        let call = MediaRelayCall(callID: "c2", strictSource: false, publish: { _ in published += 1 }, report: { _ in })
        var plan = MediaStreamPlan(kind: .rtp, localPort: 20_000)
        plan.remoteAddress = "127.0.0.20"
        plan.remotePort = 10_000
        call.apply([.inside: [plan], .outside: [plan]])
        published = 0
        _ = try Self.deliver(rtpPacket(sequence: 1), to: call, from: "127.0.0.20", port: 10_000, side: .inside)
        #expect(call.needsPublishing())
        _ = try Self.deliver(rtpPacket(sequence: 2), to: call, from: "127.0.0.20", port: 10_000, side: .inside)
        #expect(!call.needsPublishing(), "already among the calls to publish")
        call.publishCounts()
        #expect(published == 1)
        #expect(!call.needsPublishing())
    }
}

@Suite("Media endpoints")
struct MediaEndpointTests {
    @Test("IPv4 and IPv6 literals parse, print and compare by address and port", arguments: [
        ("192.0.2.1", UInt16(4_000), "192.0.2.1:4000"),
        ("2001:db8::1", UInt16(5_004), "[2001:db8::1]:5004"),
        ("[::1]", UInt16(1), "[::1]:1"),
    ])
    func literals(host: String, port: UInt16, text: String) throws {
        let endpoint = try #require(MediaEndpoint(host: host, port: port))
        #expect(endpoint.description == text)
        #expect(endpoint == MediaEndpoint(host: host, port: port))
        #expect(endpoint != MediaEndpoint(host: host, port: port &+ 1))
        #expect(endpoint.host == MediaEndpoint(host: host, port: 9)?.host)
    }

    @Test("names and garbage are not endpoints")
    func notLiterals() {
        #expect(MediaEndpoint(host: "pbx.example.com", port: 1) == nil)
        #expect(MediaEndpoint(host: "", port: 1) == nil)
        #expect(MediaEndpoint(host: "300.1.1.1", port: 1) == nil)
    }

    @Test("an endpoint written as a socket address reads back the same", arguments: ["127.0.0.30", "::1", "fe80::1"])
    func socketAddressRoundTrip(host: String) throws {
        let endpoint = try #require(MediaEndpoint(host: host, port: 31_000))
        let storage = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: 1)
        defer { storage.deallocate() }
        _ = endpoint.write(to: storage)
        #expect(MediaEndpoint(storage) == endpoint)
    }
}
