import NIOCore
import SIPCore
import SIPTransport
import Testing
import TollgateModel

@testable import TollgateGateway

@Suite("The gateway ending calls itself")
struct GatewayHangupTests {
    static func tag(_ value: String?) -> String? {
        value.flatMap { try? SIPNameAddress(parsing: $0) }?.tag
    }

    /// A call from the carrier (through its own proxy, which Record-Routes) to the PBX, answered.
    /// Returns the INVITE as the PBX received it.
    static func answeredInboundCall(_ harness: ProxyHarness) throws -> SIPMessage {
        harness.deliver(ProxyHarness.invite(extraHeaders: "Record-Route: <sip:edge.carrier.example;lr>\r\n"), from: ProxyHarness.carrier)
        let invite = try #require(harness.outbound.take().first { $0.message.method == .invite }).message
        var ok = ProxyHarness.answer(invite, status: 200, contact: "<sip:201@127.0.0.20:5080>")
        for (offset, route) in invite.values(of: .recordRoute).enumerated() { ok.insertHeader(.recordRoute, route, at: 1 + offset) }
        harness.deliver(ok, from: ProxyHarness.pbx)
        _ = harness.outbound.take()
        return invite
    }

    @Test("a BYE to each side, each in that side's dialog: its target, its route set, its tags, a CSeq above what it saw, and a Reason")
    func byeToBothSides() throws {
        let (harness, recorder) = try CallHookTests.harness([])
        let invite = try Self.answeredInboundCall(harness)
        // The caller sends a request within the dialog (CSeq 5): the PBX's next CSeq from the caller's side is 6.
        harness.deliver("""
            INFO sip:201@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bKinfo1\r
            Route: <sip:127.0.0.1:5070;lr>\r
            Max-Forwards: 70\r
            From: <sip:+441632960000@127.0.0.10>;tag=caller1\r
            To: <sip:201@127.0.0.1>;tag=callee1\r
            Call-ID: call-1\r
            CSeq: 5 INFO\r
            Content-Length: 0\r
            \r

            """, from: ProxyHarness.carrier)
        let info = try #require(harness.outbound.take().first).message
        harness.deliver(ProxyHarness.answer(info, status: 200), from: ProxyHarness.pbx)
        _ = harness.outbound.take()

        #expect(harness.proxy.hangUp(callID: "call-1", rule: "media-timeout", text: "media timeout") == 1)
        let sent = harness.outbound.take()
        #expect(sent.count == 2)
        let toCaller = try #require(sent.first { $0.peer == ProxyHarness.carrier }).message
        let toPBX = try #require(sent.first { $0.peer == ProxyHarness.pbx }).message

        #expect(toCaller.method == .bye)
        #expect(toCaller.requestURIText == "sip:+441632960000@127.0.0.10:5090", "the caller's Contact")
        #expect(toCaller.values(of: .route) == ["<sip:edge.carrier.example;lr>"], "the caller's route set")
        #expect(Self.tag(toCaller.firstValue(of: .from)) == "callee1" && Self.tag(toCaller.firstValue(of: .to)) == "caller1")
        #expect(toCaller.firstValue(of: .callID) == "call-1")
        #expect(toCaller.firstValue(of: .cseq) == "1 BYE")
        #expect(toCaller.firstValue(of: "Reason") == "Q.850;cause=102;text=\"media timeout\"")
        #expect(try toCaller.vias().count == 1)
        #expect(!String(decoding: toCaller.serialized(), as: UTF8.self).contains("127.0.0.20"), "the outside is not shown the PBX")

        #expect(toPBX.requestURIText == "sip:201@127.0.0.20:5080", "the PBX's Contact")
        #expect(!toPBX.contains(.route), "nothing between Tollgate and the PBX")
        #expect(Self.tag(toPBX.firstValue(of: .from)) == "caller1" && Self.tag(toPBX.firstValue(of: .to)) == "callee1")
        #expect(toPBX.firstValue(of: .callID) == invite.firstValue(of: .callID))
        #expect(toPBX.firstValue(of: .cseq) == "6 BYE")

        // The call is over: its record says the gateway ended it and why; the dialog is gone.
        #expect(harness.proxy.snapshot.confirmedDialogs == 0)
        let record = try #require(recorder.records.last)
        #expect(record.hangup == .gateway)
        #expect(record.rule == "media-timeout")
        #expect(record.disposition == .answered)

        // Unanswered over UDP, the BYEs are sent again at T1; their 200s end that, and nothing is relayed.
        harness.advance(.milliseconds(500))
        #expect(harness.outbound.take().filter { $0.message.method == .bye }.count == 2)
        harness.deliver(ProxyHarness.answer(toCaller, status: 200), from: ProxyHarness.carrier)
        harness.deliver(ProxyHarness.answer(toPBX, status: 200), from: ProxyHarness.pbx)
        #expect(harness.outbound.take().isEmpty)
        harness.advance(.seconds(2))
        #expect(harness.outbound.take().isEmpty, "answered BYEs are not sent again")
        #expect(harness.proxy.hangUp(callID: "call-1", rule: "media-timeout", text: "media timeout") == 0, "a call is ended once")
    }

    @Test("a call from the PBX is ended towards the trunk under the Call-ID the trunk was shown, not the inside's")
    func outboundCallKeepsHiddenCallID() throws {
        let harness = try ProxyHarness()
        harness.deliver(SIPProxyTrunkTests.outboundInvite(), from: ProxyHarness.pbx)
        let invite = try #require(harness.outbound.take().first { $0.message.method == .invite }).message
        let shownCallID = try #require(invite.firstValue(of: .callID))
        #expect(shownCallID != "out-1@127.0.0.20")
        harness.deliver(ProxyHarness.answer(invite, status: 200, contact: "<sip:00441632960123@127.0.0.10:5090>"), from: ProxyHarness.carrier)
        _ = harness.outbound.take()

        #expect(harness.proxy.hangUp(callID: "out-1@127.0.0.20", rule: "media-timeout", text: "media timeout") == 1)
        let sent = harness.outbound.take()
        let toTrunk = try #require(sent.first { $0.peer == ProxyHarness.carrier }).message
        let toPBX = try #require(sent.first { $0.peer == ProxyHarness.pbx }).message
        #expect(toTrunk.firstValue(of: .callID) == shownCallID)
        #expect(toTrunk.firstValue(of: .cseq) == "11 BYE", "above the INVITE's 10")
        #expect(!String(decoding: toTrunk.serialized(), as: UTF8.self).contains("127.0.0.20"))
        #expect(toPBX.firstValue(of: .callID) == "out-1@127.0.0.20")
        #expect(toPBX.requestURIText == "sip:201@127.0.0.20:5080")
        #expect(Self.tag(toPBX.firstValue(of: .from)) == "callee1" && Self.tag(toPBX.firstValue(of: .to)) == "pbx1")
    }

    @Test("a request in the early dialog (an UPDATE before the answer) moves the BYE's CSeq up too")
    func earlyRequestsCount() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = try #require(harness.outbound.take().first { $0.message.method == .invite }).message
        harness.deliver(ProxyHarness.answer(invite, status: 180, contact: "<sip:201@127.0.0.20:5080>"), from: ProxyHarness.pbx)
        _ = harness.outbound.take()
        harness.deliver("""
            UPDATE sip:201@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bKupd1\r
            Route: <sip:127.0.0.1:5070;lr>\r
            Max-Forwards: 70\r
            From: <sip:+441632960000@127.0.0.10>;tag=caller1\r
            To: <sip:201@127.0.0.1>;tag=callee1\r
            Call-ID: call-1\r
            CSeq: 7 UPDATE\r
            Content-Length: 0\r
            \r

            """, from: ProxyHarness.carrier)
        let update = try #require(harness.outbound.take().first { $0.message.method == .update }).message
        harness.deliver(ProxyHarness.answer(update, status: 200), from: ProxyHarness.pbx)
        harness.deliver(ProxyHarness.answer(invite, status: 200, contact: "<sip:201@127.0.0.20:5080>"), from: ProxyHarness.pbx)
        _ = harness.outbound.take()
        #expect(harness.proxy.hangUp(callID: "call-1", rule: "media-timeout", text: "media timeout") == 1)
        let toPBX = try #require(harness.outbound.take().first { $0.peer == ProxyHarness.pbx }).message
        #expect(toPBX.firstValue(of: .cseq) == "8 BYE", "above the early UPDATE's 7")
    }

    @Test("a call not answered yet, or unknown, is not ended by a BYE")
    func earlyOrUnknownCall() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = try #require(harness.outbound.take().first { $0.message.method == .invite }).message
        harness.deliver(ProxyHarness.answer(invite, status: 180), from: ProxyHarness.pbx)
        _ = harness.outbound.take()
        #expect(harness.proxy.hangUp(callID: "call-1", rule: "media-timeout", text: "media timeout") == 0)
        #expect(harness.proxy.hangUp(callID: "nobody", rule: "media-timeout", text: "media timeout") == 0)
        #expect(harness.outbound.take().isEmpty)
    }
}
