import NIOCore
import SIPCore
import SIPTransport
import Testing

@testable import TollgateGateway

@Suite("Topology hiding")
struct TopologyHidingTests {
    static let yaml = ProxyHarness.yaml.replacingOccurrences(of: "  strip_headers:", with: "  mask_sdp: true\n  strip_headers:")

    static let sdp = "v=0\r\no=pbx 1 1 IN IP4 127.0.0.20\r\ns=-\r\nc=IN IP4 127.0.0.20\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n"

    /// Everything the harness sent to a peer outside (any address but the PBX's), as text.
    static func external(_ sent: [RecordingOutbound.Sent]) -> String {
        sent.filter { $0.peer != ProxyHarness.pbx }.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n----\n")
    }

    @Test("a call from the PBX and its BYE from the trunk: nothing sent outside names an internal address, and the inside gets its own values back",
          arguments: [false, true])
    func outboundCall(viaReader: Bool) throws {
        var harness = try ProxyHarness(yaml: Self.yaml)
        harness.viaReader = viaReader
        var all: [RecordingOutbound.Sent] = []
        let invite = SIPProxyTrunkTests.outboundInvite()
            .replacingOccurrences(of: "Content-Length: 0\r\n\r\n", with: "Content-Type: application/sdp\r\nContent-Length: \(Self.sdp.utf8.count)\r\n\r\n\(Self.sdp)")
        harness.deliver(invite, from: ProxyHarness.pbx)
        let sent = harness.outbound.take()
        all += sent
        let forwarded = try #require(sent.first { $0.message.method == .invite })
        #expect(try forwarded.message.callID() != "out-1@127.0.0.20")
        #expect(try forwarded.message.contacts().first?.address?.uri.hostPort == "127.0.0.1:5070")
        #expect(try forwarded.message.from().uri.host == "127.0.0.1")

        // The carrier answers with its own Contact and later hangs up, addressing Tollgate's masked contact.
        var ok = ProxyHarness.answer(forwarded.message, status: 200, contact: "<sip:+441632960123@127.0.0.10:5090>")
        ok.body = Array("v=0\r\no=c 1 1 IN IP4 127.0.0.10\r\ns=-\r\nc=IN IP4 127.0.0.10\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\n".utf8)
        ok.setHeader(.contentType, "application/sdp")
        harness.deliver(ok, from: ProxyHarness.carrier)
        let relayed = try #require(harness.outbound.take().first)
        #expect(relayed.peer == ProxyHarness.pbx)
        #expect(try relayed.message.callID() == "out-1@127.0.0.20", "the inside sees its own Call-ID")

        let externalCallID = try forwarded.message.callID()
        let bye = """
            BYE sip:201@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bKcbye\r
            Max-Forwards: 70\r
            From: <sip:00441632960123@127.0.0.1>;tag=callee1\r
            To: "Reception" <sip:201@127.0.0.1>;tag=pbx1\r
            Call-ID: \(externalCallID)\r
            CSeq: 1 BYE\r
            Content-Length: 0\r
            \r

            """
        harness.deliver(bye, from: ProxyHarness.carrier)
        let inside = try #require(harness.outbound.take().first { $0.message.method == .bye })
        #expect(inside.peer == ProxyHarness.pbx)
        #expect(inside.message.requestURIText == "sip:201@127.0.0.20:5080", "the PBX's real Contact is restored as Request-URI")
        #expect(try inside.message.callID() == "out-1@127.0.0.20")
        harness.deliver(ProxyHarness.answer(inside.message, status: 200), from: ProxyHarness.pbx)
        all += harness.outbound.take()

        let outside = Self.external(all)
        #expect(!outside.isEmpty)
        for address in ["127.0.0.20", "10.1.2.3", "X-Asterisk"] {
            #expect(!outside.contains(address), "\(address) leaked:\n\(outside)")
        }
    }

    @Test("an answer naming the outside Call-ID twice is refused alike whether the proxy gets bytes or a parsed message; a proper one is relayed",
          arguments: [false, true])
    func duplicateCallIDRefused(viaReader: Bool) throws {
        var harness = try ProxyHarness(yaml: Self.yaml)
        harness.viaReader = viaReader
        harness.deliver(SIPProxyTrunkTests.outboundInvite(), from: ProxyHarness.pbx)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .invite })
        let outsideCallID = try forwarded.message.callID()

        let ringing = ProxyHarness.answer(forwarded.message, status: 180)
        let doubled = String(decoding: ringing.serialized(), as: UTF8.self)
            .replacingOccurrences(of: "Call-ID: \(outsideCallID)\r\n", with: "Call-ID: \(outsideCallID)\r\nCall-ID: other@127.0.0.10\r\n")
        #expect(doubled.contains("other@127.0.0.10"))
        harness.deliver(doubled, from: ProxyHarness.carrier)
        #expect(harness.outbound.take().isEmpty, "a second Call-ID breaks the one-value rule, hidden or not")

        harness.deliver(ringing, from: ProxyHarness.carrier)
        let relayed = try #require(harness.outbound.take().first)
        #expect(relayed.peer == ProxyHarness.pbx)
        #expect(try relayed.message.callID() == "out-1@127.0.0.20")
    }

    @Test("a call from a trunk: the PBX's 180 and 200 reach the trunk without its Contact, SDP address or internal headers")
    func inboundCall() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        var all = harness.outbound.take()
        let invite = try #require(all.first { $0.message.method == .invite })
        for status in [180, 200] {
            var response = ProxyHarness.answer(invite.message, status: status, contact: "<sip:201@127.0.0.20:5080;transport=udp>")
            response.appendHeader("X-Asterisk-HangupCause", "Normal")
            response.appendHeader(.pAssertedIdentity, "<sip:201@127.0.0.20>")
            response.insertHeader(.recordRoute, "<sip:127.0.0.20;lr>", at: 0)
            if status == 200 {
                response.setHeader(.contentType, "application/sdp")
                response.body = Array(Self.sdp.utf8)
            }
            harness.deliver(response, from: ProxyHarness.pbx)
        }
        all += harness.outbound.take()
        let outside = Self.external(all)
        #expect(outside.contains("SIP/2.0 200 OK"))
        #expect(!outside.contains("127.0.0.20"), "internal address leaked:\n\(outside)")
        #expect(!outside.contains("X-Asterisk"))
    }

    @Test("host replacement matches whole addresses only")
    func wholeHostsOnly() {
        #expect(TopologyHider.replaceHost("127.0.0.2", in: "sip:a@127.0.0.20;x=127.0.0.2", with: "E") == "sip:a@127.0.0.20;x=E")
        #expect(TopologyHider.replaceHost("pbx.lan", in: "<sip:1@PBX.lan:5060>, <sip:2@mypbx.lan>", with: "E") == "<sip:1@E:5060>, <sip:2@mypbx.lan>")
    }
}

@Suite("Call-ID map")
struct CallIDMapTests {
    @Test("inside Call-IDs naming internal hosts get one opaque outside Call-ID, mapped back, forgotten when asked or when idle")
    func mapping() {
        let map = CallIDMap()
        var clock: UInt64 = 1_000
        map.now = { clock }
        #expect(map.external(for: "abc@example.net", internalHosts: ["127.0.0.20"], externalHost: "203.0.113.5") == nil)
        let outside = map.external(for: "abc@127.0.0.20", internalHosts: ["127.0.0.20"], externalHost: "203.0.113.5")
        #expect(outside?.hasSuffix("@203.0.113.5") == true)
        #expect(map.external(for: "abc@127.0.0.20", internalHosts: ["127.0.0.20"], externalHost: "203.0.113.5") == outside)
        #expect(map.internal(for: outside ?? "") == "abc@127.0.0.20")
        map.remove(internal: "abc@127.0.0.20")
        #expect(map.internal(for: outside ?? "") == nil)

        _ = map.external(for: "keep@127.0.0.20", internalHosts: ["127.0.0.20"], externalHost: "E")
        _ = map.external(for: "drop@127.0.0.20", internalHosts: ["127.0.0.20"], externalHost: "E")
        clock += 7_200
        map.sweep(olderThan: 3_600, keeping: ["keep@127.0.0.20"])
        #expect(map.count == 1)
    }
}
