import NIOCore
import NIOPosix
import SIPCore
import Testing
import TollgateMedia

@testable import TollgateGateway

/// The media hook in the proxy, with a real relay on loopback ports: which settings each call gets,
/// and what a refusal becomes.
@Suite("Media anchoring as a call hook", .serialized)
struct MediaCallHookTests {
    static let plainOffer = "v=0\r\no=c 1 1 IN IP4 127.0.0.10\r\ns=-\r\nc=IN IP4 127.0.0.10\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

    static func withSDP(_ message: String, _ sdp: String) -> String {
        message.replacingOccurrences(of: "Content-Length: 0\r\n\r\n",
                                     with: "Content-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n\(sdp)")
    }

    /// One media loop for the suite's relays, started on first use and kept for the test process.
    private static let loops = Result { try MediaLoopGroup(numberOfThreads: 1) }

    static func sharedLoops() throws -> MediaLoopGroup { try loops.get() }

    /// A harness whose media hook requires SRTP of the trunk `carrier` and takes plain RTP from others.
    static func harness(group: EventLoopGroup, ports: ClosedRange<UInt16>) throws -> (ProxyHarness, ActivityRecorder, MediaRelay) {
        let harness = try ProxyHarness()
        let recorder = ActivityRecorder(harness.proxy)
        let relay = MediaRelay(configuration: .init(ports: ports), loops: try sharedLoops()) { _ in }
        let outside = MediaSideSettings(address: "127.0.0.1", srtp: .optional, suites: [.aesCM128HMACSHA1_80])
        var strict = outside
        strict.srtp = .required
        harness.proxy.addFirstCallHook(MediaCallHook(
            relay: relay, inside: MediaSideSettings(address: "127.0.0.1", srtp: .off, suites: [.aesCM128HMACSHA1_80]), outside: outside,
            trunkOutside: ["carrier": strict], events: harness.proxy.events))
        return (harness, recorder, relay)
    }

    @Test("a trunk with its own policy gets it (a plain offer from a trunk that must use SRTP is refused 488); other trunks get the outside's")
    func trunkPolicy() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let (harness, recorder, _) = try Self.harness(group: group, ports: 31_000...31_019)

        harness.deliver(Self.withSDP(ProxyHarness.invite(), Self.plainOffer), from: ProxyHarness.carrier)
        let refused = harness.outbound.take()
        #expect(refused.contains { $0.message.statusCode == 488 && $0.peer == ProxyHarness.carrier })
        #expect(!refused.contains { $0.message.method == .invite }, "not forwarded")
        #expect(recorder.events.contains { $0.kind.rawValue == "media-refused" && $0.rule == "media-srtp-required" })

        harness.deliver(Self.withSDP(ProxyHarness.invite(from: ProxyHarness.backup, branch: "z9hG4bKb1", callID: "call-2"), Self.plainOffer),
                        from: ProxyHarness.backup)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .invite })
        #expect(forwarded.peer == ProxyHarness.pbx)
        #expect(forwarded.message.bodyText.contains("c=IN IP4 127.0.0.1") && !forwarded.message.bodyText.contains("127.0.0.10"))
    }

    @Test("an offer in a response that cannot be taken is declined (port 0, Tollgate's address), never passed on as it came")
    func declinedOfferInResponse() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let (harness, recorder, _) = try Self.harness(group: group, ports: 31_020...31_039)

        // A late offer: the PBX's INVITE has no SDP, the carrier (SRTP required) offers plain RTP in its 200.
        harness.deliver(SIPProxyTrunkTests.outboundInvite(), from: ProxyHarness.pbx)
        let invite = try #require(harness.outbound.take().first { $0.message.method == .invite }).message
        var ok = ProxyHarness.answer(invite, status: 200, contact: "<sip:00441632960123@127.0.0.10:5090>")
        ok.setHeader(.contentType, "application/sdp")
        ok.body = Array(Self.plainOffer.utf8)
        harness.deliver(ok, from: ProxyHarness.carrier)
        let relayed = try #require(harness.outbound.take().first { $0.message.statusCode == 200 })
        #expect(relayed.peer == ProxyHarness.pbx)
        let sdp = try SDPSession(parsing: relayed.message.bodyBytes)
        #expect(sdp.media.allSatisfy { $0.port == 0 }, "the stream is declined: \(relayed.message.bodyText)")
        #expect(sdp.origin.address == "127.0.0.1" && !relayed.message.bodyText.contains("127.0.0.10"))
        #expect(recorder.events.contains { $0.kind.rawValue == "media-refused" })
    }
}
