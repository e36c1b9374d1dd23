import NIOCore
import Testing

@testable import TollgateMedia

@Suite("Media timeouts: dead and one-way audio, hold")
struct MediaTimeoutTests {
    static func call(onHold: Bool = false) -> (MediaRelayCall, () -> [MediaEvent]) {
        var events: [MediaEvent] = []
        let call = MediaRelayCall(callID: "c1", strictSource: false, publish: { _ in }, report: { events.append($0) })
        var inside = MediaStreamPlan(kind: .rtp, localPort: 20_000)
        inside.remoteAddress = "127.0.0.20"
        inside.remotePort = 10_000
        var outside = MediaStreamPlan(kind: .rtp, localPort: 20_002)
        outside.remoteAddress = "127.0.0.30"
        outside.remotePort = 4_000
        inside.onHold = onHold
        outside.onHold = onHold
        call.apply([.inside: [inside], .outside: [outside]])
        return (call, { events })
    }

    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    @Test("no media either way for the timeout is one event, counted from when both sides' SDP was seen")
    func deadAudio() {
        let (call, events) = Self.call()
        call.checkTimeout(now: Self.start, timeout: .seconds(60), holdTimeout: .seconds(3_600))
        call.checkTimeout(now: Self.start + .seconds(59), timeout: .seconds(60), holdTimeout: .seconds(3_600))
        #expect(events().isEmpty)
        call.checkTimeout(now: Self.start + .seconds(61), timeout: .seconds(60), holdTimeout: .seconds(3_600))
        call.checkTimeout(now: Self.start + .seconds(120), timeout: .seconds(60), holdTimeout: .seconds(3_600))
        #expect(events().map(\.detail) == ["no media either way for 60 s"])
        #expect(events().first?.kind == .timeout)
    }

    @Test("answering restarts the clock: a call that rang past the timeout with early SDP is not dead at once, and its silence is reported again")
    func answerRestartsTheClock() {
        let (call, events) = Self.call()
        let timeout = TimeAmount.seconds(60)
        call.checkTimeout(now: Self.start, timeout: timeout, holdTimeout: .seconds(3_600))
        call.checkTimeout(now: Self.start + .seconds(61), timeout: timeout, holdTimeout: .seconds(3_600))
        #expect(events().count == 1, "ringing with early SDP and no early media for a minute")
        call.restartTimeouts(at: Self.start + .seconds(70))
        call.checkTimeout(now: Self.start + .seconds(100), timeout: timeout, holdTimeout: .seconds(3_600))
        #expect(events().count == 1, "answered 30 s ago: not dead yet")
        call.checkTimeout(now: Self.start + .seconds(131), timeout: timeout, holdTimeout: .seconds(3_600))
        #expect(events().count == 2 && events().last?.bothWays == true, "a minute of silence after the answer is reported")
    }

    @Test("one side silent while the other sends is one-way audio, named by the silent side")
    func oneWayAudio() throws {
        let (call, events) = Self.call()
        call.checkTimeout(now: Self.start, timeout: .seconds(60), holdTimeout: .seconds(3_600))
        for second in 0..<70 {
            try MediaRelayCallTests.deliver(rtpPacket(sequence: UInt16(second)), to: call, from: "127.0.0.20", port: 10_000, side: .inside,
                                            at: Self.start + .seconds(Int64(second)))
            call.checkTimeout(now: Self.start + .seconds(Int64(second)), timeout: .seconds(60), holdTimeout: .seconds(3_600))
        }
        #expect(events().map(\.detail) == ["one-way audio: nothing from the outside side for 60 s while the other side sends"])
        #expect(events().first?.side == .outside)
    }

    @Test("on hold, silence is expected until the hold timeout")
    func hold() {
        let (call, events) = Self.call(onHold: true)
        call.checkTimeout(now: Self.start, timeout: .seconds(60), holdTimeout: .seconds(3_600))
        call.checkTimeout(now: Self.start + .seconds(600), timeout: .seconds(60), holdTimeout: .seconds(3_600))
        #expect(events().isEmpty)
        call.checkTimeout(now: Self.start + .seconds(3_601), timeout: .seconds(60), holdTimeout: .seconds(3_600))
        #expect(events().map(\.detail) == ["no media either way for 3600 s (on hold)"])
    }

    @Test("a sendonly, inactive or 0.0.0.0 SDP puts the call on hold; sendrecv takes it off")
    func holdFromSDP() throws {
        var media = MediaNegotiationTests.negotiation()
        let ports = MediaNegotiationTests.Ports()
        _ = try media.process(try SDPSessionFixture.plain("a=sendrecv"), from: .outside, isRequest: true, allocate: ports.allocate)
        _ = try media.process(try SDPSessionFixture.plain("a=sendrecv"), from: .inside, isRequest: false, allocate: ports.allocate)
        #expect(!media.streams[.outside]![0].onHold)
        for hold in ["a=sendonly", "a=inactive", "a=recvonly"] {
            _ = try media.process(try SDPSessionFixture.plain(hold), from: .inside, isRequest: true, allocate: ports.allocate)
            _ = try media.process(try SDPSessionFixture.plain("a=sendrecv"), from: .outside, isRequest: false, allocate: ports.allocate)
            #expect(media.streams[.outside]![0].onHold && media.streams[.inside]![0].onHold, "\(hold)")
            _ = try media.process(try SDPSessionFixture.plain("a=sendrecv"), from: .inside, isRequest: true, allocate: ports.allocate)
            _ = try media.process(try SDPSessionFixture.plain("a=sendrecv"), from: .outside, isRequest: false, allocate: ports.allocate)
            #expect(!media.streams[.outside]![0].onHold, "resumed after \(hold)")
        }
        _ = try media.process(try SDPSessionFixture.plain("a=sendrecv", address: "0.0.0.0"), from: .inside, isRequest: true, allocate: ports.allocate)
        #expect(media.streams[.inside]![0].onHold)
    }
}

import SIPCore

/// Small plain SDPs for the hold tests.
enum SDPSessionFixture {
    static func plain(_ direction: String, address: String = "127.0.0.40") throws -> SDPSession {
        try SDPSession(parsing: "v=0\r\no=- 1 1 IN IP4 \(address)\r\ns=-\r\nc=IN IP4 \(address)\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n\(direction)\r\n")
    }
}
