import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPCore
import Testing
import TollgateTestSupport

@testable import TollgateMedia

@Suite("Media relay over loopback sockets", .serialized)
struct MediaRelayTests {
    /// An SRTP phone on 127.0.0.30 calls a plain PBX on 127.0.0.20 through a relay on 127.0.0.1.
    @Test("SRTP outside is bridged to plain RTP inside, both ways; the ports come back when the call ends")
    func bridgesSRTPToRTP() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loops = try MediaLoopGroup(numberOfThreads: 1)
        let events = NIOLockedValueBox<[MediaEvent]>([])
        let relay = MediaRelay(configuration: .init(ports: 41_000...41_099), loops: loops) { event in events.withLockedValue { $0.append(event) } }
        let phone = try await UDPPeer(host: "127.0.0.30", group: group)
        let pbx = try await UDPPeer(host: "127.0.0.20", group: group)
        let attacker = try await UDPPeer(host: "127.0.0.66", group: group)

        let phoneKey = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
        let offer = try SDPSession(parsing: "v=0\r\no=- 1 1 IN IP4 127.0.0.30\r\ns=-\r\nc=IN IP4 127.0.0.30\r\nt=0 0\r\n"
            + "m=audio \(phone.address.port!) RTP/SAVP 0\r\n" + "a=" + SDPCrypto(tag: 1, suite: phoneKey.profile.sdesName, keySalt: phoneKey.keyAndSalt).attribute.lineValue + "\r\n")
        let answer = try SDPSession(parsing: "v=0\r\no=- 2 2 IN IP4 127.0.0.20\r\ns=-\r\nc=IN IP4 127.0.0.20\r\nt=0 0\r\nm=audio \(pbx.address.port!) RTP/AVP 0\r\na=rtcp:\(pbx.address.port!)\r\n")
        let call = relay.open(callID: "call-1")
        var negotiation = MediaNegotiation(inside: MediaSideSettings(address: "127.0.0.1", srtp: .off, suites: []),
                                           outside: MediaSideSettings(address: "127.0.0.1", srtp: .optional, suites: [.aesCM128HMACSHA1_80]),
                                           sessionID: 1)
        let bind: (MediaSide, Int) -> UInt16? = { side, stream in call.bindPorts(side: side, address: "127.0.0.1", stream: stream) }
        let towardsPBX = try negotiation.process(offer, from: .outside, isRequest: true, allocate: bind)
        let towardsPhone = try negotiation.process(answer, from: .inside, isRequest: false, allocate: bind)
        call.apply(negotiation.streams)
        #expect(relay.portsInUse == 2)
        let insidePort = towardsPBX.media[0].port
        let outsidePort = towardsPhone.media[0].port
        let tollgateKey = try #require(towardsPhone.media[0].cryptos.first?.keyAndSalt).map { try SRTPMasterKey(profile: .aesCM128HMACSHA1_80, keyAndSalt: $0) }
        try await Task.sleep(for: .milliseconds(50))

        // Phone → PBX: SRTP in, plain RTP out.
        var phoneSender = SRTPContext(key: phoneKey)
        for sequence in UInt16(1)...5 {
            var packet = rtpPacket(sequence: sequence, ssrc: 0x1111)
            try phoneSender.protectRTP(&packet)
            try await phone.send(packet, to: "127.0.0.1", port: outsidePort)
        }
        let atPBX = try await pbx.waitFor(5)
        #expect(atPBX.map(\.bytes) == (UInt16(1)...5).map { rtpPacket(sequence: $0, ssrc: 0x1111) })
        #expect(atPBX.allSatisfy { $0.source.port == Int(insidePort) && $0.source.ipAddress == "127.0.0.1" })

        // PBX → phone: plain in, SRTP out under Tollgate's key.
        for sequence in UInt16(100)...104 {
            try await pbx.send(rtpPacket(sequence: sequence, ssrc: 0x2222), to: "127.0.0.1", port: insidePort)
        }
        let atPhone = try await phone.waitFor(5)
        var phoneReceiver = SRTPContext(key: try #require(tollgateKey))
        for (offset, packet) in atPhone.enumerated() {
            var bytes = packet.bytes
            #expect(bytes != rtpPacket(sequence: 100 + UInt16(offset), ssrc: 0x2222), "no clear RTP on the outside")
            try phoneReceiver.unprotectRTP(&bytes)
            #expect(bytes == rtpPacket(sequence: 100 + UInt16(offset), ssrc: 0x2222))
        }

        // A video-sized packet comes through whole (each datagram of a batched read has room of its own).
        let large = rtpPacket(sequence: 105, ssrc: 0x2222, payload: [UInt8](repeating: 0x42, count: 1_400))
        try await pbx.send(large, to: "127.0.0.1", port: insidePort)
        let withLarge = try await phone.waitFor(6)
        var largeBytes = try #require(withLarge.last?.bytes)
        try phoneReceiver.unprotectRTP(&largeBytes)
        #expect(largeBytes == large)

        // RTCP both ways, on the odd ports.
        var report = rtcpPacket(ssrc: 0x1111)
        try phoneSender.protectRTCP(&report)
        try await phone.send(report, to: "127.0.0.1", port: outsidePort + 1)
        try await pbx.send(rtcpPacket(ssrc: 0x2222), to: "127.0.0.1", port: insidePort + 1)

        // An attacker: forged SRTP outside, injected RTP inside. Neither gets through.
        try await attacker.send(rtpPacket(sequence: 6, ssrc: 0x1111) + [UInt8](repeating: 0, count: 10), to: "127.0.0.1", port: outsidePort)
        try await attacker.send(rtpPacket(sequence: 105, ssrc: 0x2222), to: "127.0.0.1", port: insidePort)
        try await Task.sleep(for: .milliseconds(200))
        #expect(pbx.packets.count == 6, "5 RTP and 1 RTCP, nothing from the attacker")
        #expect(pbx.packets.last?.bytes == rtcpPacket(ssrc: 0x1111))
        #expect(phone.packets.count == 7)
        let statistics = call.statistics
        #expect(statistics.fromOutside.packets == 6 && statistics.fromInside.packets == 7)
        #expect(statistics.authenticationFailures == 1 && statistics.foreignPackets == 1, "\(statistics)")
        #expect(statistics.codec == "PCMU/8000")
        let kinds = Set(events.withLockedValue { $0.map(\.kind) })
        #expect(kinds == [.authenticationFailed, .foreignSource])
        #expect(events.withLockedValue { $0 }.allSatisfy { $0.source == "127.0.0.66" && $0.callID == "call-1" })

        // A flood of forged SRTP from the attacker is reported in batches for Shield to judge.
        for sequence in UInt16(1_000)..<1_120 {
            try await attacker.send(rtpPacket(sequence: sequence, ssrc: 0x1111) + [UInt8](repeating: 0, count: 10), to: "127.0.0.1", port: outsidePort)
        }
        try await Task.sleep(for: .milliseconds(300))
        let abuse = events.withLockedValue { $0.filter { $0.kind == .abuse } }
        #expect(abuse.map(\.packets) == [50, 50], "121 bad packets outside: two batches of 50")
        #expect(abuse.allSatisfy { $0.source == "127.0.0.66" })

        call.close()
        await call.waitUntilClosed()
        #expect(relay.portsInUse == 0, "every port back in the pool")
        for peer in [phone, pbx, attacker] { try await peer.close() }
        await loops.shutdown()
        try await group.shutdownGracefully()
    }

    /// Malformed packets every way RFC 3550 §A.1 and §A.2 name, sent by the peer itself.
    static let malformed: [(String, [UInt8])] = [
        ("empty", []),
        ("shorter than a header", Array(rtpPacket(sequence: 1).prefix(11))),
        ("version 1", [0x40] + rtpPacket(sequence: 1).dropFirst()),
        ("version 0", [0x20] + rtpPacket(sequence: 1).dropFirst()),
        ("CSRC count past the end", [0x8F] + Array(rtpPacket(sequence: 1, payload: []).dropFirst()) + [0, 0, 0, 1]),
        ("extension header cut short", [0x90] + Array(rtpPacket(sequence: 1, payload: []).dropFirst()) + [0xBE, 0xDE]),
        ("extension length past the end", Array(rtpPacket(sequence: 1, payload: [], extensionWords: [1]).dropLast(4))),
        ("padding bit with no payload", [0xA0] + Array(rtpPacket(sequence: 1, payload: []).dropFirst())),
        ("padding count of zero", [0xA0] + Array(rtpPacket(sequence: 1, payload: [1, 2, 3, 0]).dropFirst())),
        ("padding longer than the payload", [0xA0] + Array(rtpPacket(sequence: 1, payload: [1, 2, 3, 200]).dropFirst())),
    ]

    @Test("malformed RTP and RTCP from the peer itself are dropped and counted, never relayed; random mutations are relayed or counted, never lost")
    func malformedPacketsAreDropped() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loops = try MediaLoopGroup(numberOfThreads: 1)
        let relay = MediaRelay(configuration: .init(ports: 42_400...42_419), loops: loops) { _ in }
        let phone = try await UDPPeer(host: "127.0.0.30", group: group)
        let pbx = try await UDPPeer(host: "127.0.0.20", group: group)
        let offer = try SDPSession(parsing: "v=0\r\no=- 1 1 IN IP4 127.0.0.30\r\ns=-\r\nc=IN IP4 127.0.0.30\r\nt=0 0\r\n"
            + "m=audio \(phone.address.port!) RTP/AVP 0\r\na=rtcp-mux\r\n")
        let answer = try SDPSession(parsing: "v=0\r\no=- 2 2 IN IP4 127.0.0.20\r\ns=-\r\nc=IN IP4 127.0.0.20\r\nt=0 0\r\n"
            + "m=audio \(pbx.address.port!) RTP/AVP 0\r\na=rtcp-mux\r\n")
        let call = relay.open(callID: "call-malformed")
        var negotiation = MediaNegotiation(inside: MediaSideSettings(address: "127.0.0.1", srtp: .off, suites: []),
                                           outside: MediaSideSettings(address: "127.0.0.1", srtp: .off, suites: []), sessionID: 1)
        let bind: (MediaSide, Int) -> UInt16? = { side, stream in call.bindPorts(side: side, address: "127.0.0.1", stream: stream) }
        _ = try negotiation.process(offer, from: .outside, isRequest: true, allocate: bind)
        let towardsPhone = try negotiation.process(answer, from: .inside, isRequest: false, allocate: bind)
        call.apply(negotiation.streams)
        let outsidePort = towardsPhone.media[0].port
        try await Task.sleep(for: .milliseconds(50))

        for (_, packet) in Self.malformed { try await phone.send(packet, to: "127.0.0.1", port: outsidePort) }
        // RTCP on the multiplexed port: too short, or version 3.
        try await phone.send(Array(rtcpPacket().prefix(6)), to: "127.0.0.1", port: outsidePort)
        try await phone.send([0xC1] + rtcpPacket().dropFirst(), to: "127.0.0.1", port: outsidePort)
        // A datagram longer than any media packet the relay reads whole (2,048 bytes): cut short, so dropped.
        try await phone.send(rtpPacket(sequence: 1, payload: [UInt8](repeating: 0x55, count: 3_000)), to: "127.0.0.1", port: outsidePort)
        // Then well-formed ones: CSRCs, an extension, padding that fits.
        let good = [
            // STUN and ZRTP on the same port (RFC 7983) pass as they are.
            [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42] + [UInt8](repeating: 7, count: 12),
            [0x10, 0x00, 0x00, 0x01] + Array("ZRTP".utf8) + [UInt8](repeating: 9, count: 16),
            rtpPacket(sequence: 2, csrcs: [7, 8]),
            rtpPacket(sequence: 3, extensionWords: [1, 2]),
            [0xA0] + Array(rtpPacket(sequence: 4, payload: [1, 2, 3, 2]).dropFirst()),
            rtcpPacket(),
        ]
        for packet in good { try await phone.send(packet, to: "127.0.0.1", port: outsidePort) }
        let atPBX = try await pbx.waitFor(good.count)
        try await Task.sleep(for: .milliseconds(100))
        #expect(pbx.packets.map(\.bytes) == good, "only the well-formed packets, in order")
        #expect(atPBX.count == good.count)
        #expect(call.statistics.malformedPackets == UInt64(Self.malformed.count + 3), "\(call.statistics)")

        // Random mutations of a valid packet: each is relayed or counted as malformed.
        var generator = SeededGenerator(seed: 0xF022)
        let before = call.statistics.malformedPackets
        let mutations = 300
        for index in 0..<mutations {
            var packet = rtpPacket(sequence: UInt16(100 + index), payload: [UInt8](repeating: 0x55, count: Int.random(in: 0...40, using: &generator)))
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<min(packet.count, 16), using: &generator)
                packet[position] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { packet = Array(packet.prefix(Int.random(in: 0...packet.count, using: &generator))) }
            try await phone.send(packet, to: "127.0.0.1", port: outsidePort)
        }
        try await Task.sleep(for: .milliseconds(500))
        let relayed = pbx.packets.count - good.count
        let dropped = Int(call.statistics.malformedPackets - before)
        #expect(relayed + dropped == mutations, "relayed \(relayed), dropped \(dropped): \(call.statistics)")
        #expect(dropped > 0 && relayed > 0)

        call.close()
        await call.waitUntilClosed()
        for peer in [phone, pbx] { try await peer.close() }
        await loops.shutdown()
        try await group.shutdownGracefully()
    }

    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    /// The race a busy host loses: the PBX's answer is handed to the media loop, the phone hears the
    /// 200 and sends at once, and the loop wakes to find both. The answer must apply first.
    @Test("a packet that arrives while the media loop is busy is read under the answer handed over before it, not dropped")
    func answerHandedOverBeforeThePacketApplies() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loops = try MediaLoopGroup(numberOfThreads: 1)
        let relay = MediaRelay(configuration: .init(ports: 42_500...42_509), loops: loops) { _ in }
        let phone = try await UDPPeer(host: "127.0.0.30", group: group)
        let pbx = try await UDPPeer(host: "127.0.0.20", group: group)
        let offer = try SDPSession(parsing: "v=0\r\no=- 1 1 IN IP4 127.0.0.30\r\ns=-\r\nc=IN IP4 127.0.0.30\r\nt=0 0\r\nm=audio \(phone.address.port!) RTP/AVP 0\r\n")
        let answer = try SDPSession(parsing: "v=0\r\no=- 2 2 IN IP4 127.0.0.20\r\ns=-\r\nc=IN IP4 127.0.0.20\r\nt=0 0\r\nm=audio \(pbx.address.port!) RTP/AVP 0\r\n")
        let call = relay.open(callID: "busy")
        var negotiation = MediaNegotiation(inside: MediaSideSettings(address: "127.0.0.1", srtp: .off, suites: []),
                                           outside: MediaSideSettings(address: "127.0.0.1", srtp: .optional, suites: [.aesCM128HMACSHA1_80]),
                                           sessionID: 1)
        let bind: (MediaSide, Int) -> UInt16? = { side, stream in call.bindPorts(side: side, address: "127.0.0.1", stream: stream) }
        _ = try negotiation.process(offer, from: .outside, isRequest: true, allocate: bind)
        call.apply(negotiation.streams)
        try await Task.sleep(for: .milliseconds(50))

        // The loop is held in a task; meanwhile the answer is handed over and the phone's packet lands.
        let running = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        loops.next().execute {
            running.signal()
            release.wait()
        }
        running.wait()
        let towardsPhone = try negotiation.process(answer, from: .inside, isRequest: false, allocate: bind)
        call.apply(negotiation.streams)
        try await phone.send(rtpPacket(sequence: 1, ssrc: 0x3333), to: "127.0.0.1", port: towardsPhone.media[0].port)
        try await Task.sleep(for: .milliseconds(50))
        release.signal()

        let atPBX = try await pbx.waitFor(1)
        #expect(atPBX.map(\.bytes) == [rtpPacket(sequence: 1, ssrc: 0x3333)])
        #expect(call.statistics.unnegotiatedPackets == 0)
        call.close()
        await call.waitUntilClosed()
        for peer in [phone, pbx] { try await peer.close() }
        await loops.shutdown()
        try await group.shutdownGracefully()
    }

    @Test("a port another process holds is skipped, and neither it nor the pair used instead stays taken")
    func portHeldElsewhere() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loops = try MediaLoopGroup(numberOfThreads: 1)
        let squatter = try await UDPPeer(host: "127.0.0.1", port: 42_200, group: group)
        let relay = MediaRelay(configuration: .init(ports: 42_200...42_203), loops: loops) { _ in }
        let call = relay.open(callID: "held")
        #expect(call.bindPorts(side: .outside, address: "127.0.0.1", stream: 0) == 42_202)
        #expect(relay.portsInUse == 1)
        #expect(call.bindPorts(side: .inside, address: "127.0.0.1", stream: 0) == nil, "the only other pair is held")
        #expect(relay.portsInUse == 1)
        call.close()
        await call.waitUntilClosed()
        #expect(relay.portsInUse == 0)
        try await squatter.close()
        await loops.shutdown()
        try await group.shutdownGracefully()
    }

    @Test("stopping the media loops closes the ports of calls still open; such a call ended afterwards gives its ports back")
    func shutdownClosesOpenCalls() async throws {
        let loops = try MediaLoopGroup(numberOfThreads: 2)
        let descriptors = Self.openDescriptors()
        let relay = MediaRelay(configuration: .init(ports: 42_300...42_319), loops: loops) { _ in }
        var calls: [MediaCallRelay] = []
        for index in 0..<4 {
            let call = relay.open(callID: "open-\(index)")
            #expect(call.bindPorts(side: .outside, address: "127.0.0.1", stream: 0) != nil)
            #expect(call.bindPorts(side: .inside, address: "127.0.0.1", stream: 0) != nil)
            calls.append(call)
        }
        #expect(Self.openDescriptors() == descriptors + 16)
        await loops.shutdown()
        #expect(Self.openDescriptors() <= descriptors - 4, "every port closed, and each loop's epoll instance and eventfd")
        for call in calls {
            call.close()
            await call.waitUntilClosed()
        }
        #expect(relay.portsInUse == 0)
        // A call opened after the loops stopped cannot leak either.
        let late = relay.open(callID: "late")
        #expect(late.bindPorts(side: .outside, address: "127.0.0.1", stream: 0) != nil)
        late.close()
        await late.waitUntilClosed()
        #expect(relay.portsInUse == 0)
        #expect(Self.openDescriptors() <= descriptors - 4)
    }

    @Test("four hundred calls opened and ended leave no port and no socket behind")
    func noLeak() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loops = try MediaLoopGroup(numberOfThreads: 1)
        let descriptors = Self.openDescriptors()
        let relay = MediaRelay(configuration: .init(ports: 42_000...42_099), loops: loops) { _ in }
        for round in 0..<20 {
            var calls: [MediaCallRelay] = []
            for index in 0..<20 {
                let call = relay.open(callID: "c\(round)-\(index)")
                #expect(call.bindPorts(side: .outside, address: "127.0.0.1", stream: 0) != nil)
                #expect(call.bindPorts(side: .inside, address: "127.0.0.1", stream: 0) != nil)
                calls.append(call)
            }
            #expect(relay.portsInUse == 40)
            for call in calls {
                call.close()
                await call.waitUntilClosed()
            }
            #expect(relay.portsInUse == 0)
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(Self.openDescriptors() <= descriptors + 2, "every media socket closed")
        await loops.shutdown()
        try await group.shutdownGracefully()
    }
}
