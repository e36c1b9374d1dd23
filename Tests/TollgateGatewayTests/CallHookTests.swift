import Foundation
import NIOCore
import SIPCore
import SIPTransport
import Testing
import TollgateModel

@testable import TollgateGateway

/// A hook that records what it was told and does what the test asks.
final class ScriptedHook: CallHook {
    let name: String
    var verdict: CallHookVerdict = .proceed
    var offerBody: String?
    var answerBody: String?
    var endRule: String?
    var endWait: EventLoopFuture<Void>?
    private(set) var told: [String] = []
    private(set) var ends: [CallEnd.Reason] = []

    var offerVerdict = CallHookVerdict.proceed

    init(_ name: String) { self.name = name }

    func callBegins(_ call: inout CallStart, record: inout CallDetailRecord) -> CallHookVerdict {
        told.append("begins \(call.key.callID)")
        return verdict
    }

    func offer(_ offer: inout CallSDP) -> CallHookVerdict {
        told.append("offer \(offer.message.method?.token ?? "?") towards \(offer.towards)")
        if let offerBody { offer.message.body = Array(offerBody.utf8) }
        return offerVerdict
    }

    func answer(_ answer: inout CallSDP) {
        told.append("answer \(answer.message.statusCode.map(String.init) ?? answer.message.method?.token ?? "?") towards \(answer.towards)")
        if let answerBody { answer.message.body = Array(answerBody.utf8) }
    }

    func callAnswered(_ call: CallKey, at time: Date) { told.append("answered") }

    func callEnds(_ end: CallEnd, record: inout CallDetailRecord) -> EventLoopFuture<Void>? {
        told.append("ends")
        ends.append(end.reason)
        if let endRule { record.rule = endRule }
        return endWait
    }
}

@Suite("Call hooks")
struct CallHookTests {
    static let offer = "v=0\r\no=c 1 1 IN IP4 127.0.0.10\r\ns=-\r\nc=IN IP4 127.0.0.10\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\n"
    static let answer = "v=0\r\no=pbx 1 1 IN IP4 127.0.0.20\r\ns=-\r\nc=IN IP4 127.0.0.20\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n"

    static func inviteWithSDP(callID: String = "hook-1") -> String {
        ProxyHarness.invite(callID: callID).replacingOccurrences(
            of: "Content-Length: 0\r\n\r\n",
            with: "Content-Type: application/sdp\r\nContent-Length: \(offer.utf8.count)\r\n\r\n\(offer)")
    }

    /// A harness with `hooks` added, then CDR accounting (records durable at once).
    static func harness(_ hooks: [ScriptedHook]) throws -> (ProxyHarness, ActivityRecorder) {
        let harness = try ProxyHarness()
        let recorder = ActivityRecorder(harness.proxy)
        for hook in hooks { harness.proxy.addCallHook(hook) }
        let loop = harness.loop
        harness.proxy.addCallHook(CallRecordingHook(events: harness.proxy.events) { _ in loop.makeSucceededVoidFuture() })
        return (harness, recorder)
    }

    @Test("a hook rewrites the offer the PBX receives and the answer the caller receives; the CDR is published once the call ends")
    func rewritesOfferAndAnswer() throws {
        let hook = ScriptedHook("media")
        hook.offerBody = "v=0\r\nc=IN IP4 127.0.0.1\r\n"
        hook.answerBody = "v=0\r\nc=IN IP4 127.0.0.1\r\n"
        let (harness, recorder) = try Self.harness([hook])
        harness.deliver(Self.inviteWithSDP(), from: ProxyHarness.carrier)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .invite })
        #expect(forwarded.peer == ProxyHarness.pbx)
        #expect(forwarded.message.bodyText == hook.offerBody)
        #expect(try forwarded.message.contentLength() == hook.offerBody?.utf8.count)

        var ok = ProxyHarness.answer(forwarded.message, status: 200, contact: "<sip:201@127.0.0.20:5080>")
        ok.body = Array(Self.answer.utf8)
        ok.setHeader(.contentType, "application/sdp")
        harness.deliver(ok, from: ProxyHarness.pbx)
        let relayed = try #require(harness.outbound.take().first { $0.message.statusCode == 200 })
        #expect(relayed.peer == ProxyHarness.carrier)
        #expect(relayed.message.bodyText == hook.answerBody)
        #expect(hook.told == ["begins hook-1", "offer INVITE towards internal", "answered", "answer 200 towards external"])
        #expect(recorder.records.isEmpty, "no CDR while the call is up")
    }

    @Test("a hook refuses a call: the caller gets its status, the PBX nothing, later hooks are not asked, and the CDR says rejected by that hook")
    func refusal() throws {
        let refusing = ScriptedHook("identity")
        refusing.verdict = .refuse(status: 438, reason: "invalid Identity header")
        let later = ScriptedHook("later")
        let (harness, recorder) = try Self.harness([refusing, later])
        harness.deliver(Self.inviteWithSDP(), from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        #expect(sent.map(\.message.statusCode) == [100, 438])
        #expect(!sent.contains { $0.peer == ProxyHarness.pbx })
        #expect(!later.told.contains { $0.hasPrefix("begins") })
        #expect(refusing.ends == [.refused(status: 438)])
        let record = try #require(recorder.records.first)
        #expect(record.disposition == .rejected)
        #expect(record.hangup == .gateway)
        #expect(record.rule == "identity")
        #expect(record.cause == 438)
    }

    @Test("a hook refuses an offer (media it cannot take): the caller gets its status, the PBX nothing, and the CDR names the hook")
    func offerRefusal() throws {
        let media = ScriptedHook("media")
        media.offerVerdict = .refuse(status: 488, reason: "SRTP required")
        let (harness, recorder) = try Self.harness([media])
        harness.deliver(Self.inviteWithSDP(), from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        #expect(sent.map(\.message.statusCode) == [100, 488])
        #expect(!sent.contains { $0.peer == ProxyHarness.pbx })
        #expect(media.ends == [.refused(status: 488)])
        let record = try #require(recorder.records.first)
        #expect(record.disposition == .rejected && record.rule == "media" && record.cause == 488)
    }

    @Test("a hook adds to the CDR at the end, and the final answer waits for the future it returns")
    func endFieldsAndWait() throws {
        let hook = ScriptedHook("verdicts")
        hook.endRule = "tagged-by-hook"
        let (harness, recorder) = try Self.harness([hook])
        let promise = harness.loop.makePromise(of: Void.self)
        hook.endWait = promise.futureResult
        harness.deliver(Self.inviteWithSDP(), from: ProxyHarness.carrier)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .invite })
        harness.deliver(ProxyHarness.answer(forwarded.message, status: 486), from: ProxyHarness.pbx)
        let held = harness.outbound.take()
        #expect(!held.contains { $0.peer == ProxyHarness.carrier && $0.message.statusCode == 486 }, "the 486 waits for the hook")
        #expect(recorder.records.first?.rule == "tagged-by-hook")
        #expect(hook.ends == [.failed(status: 486)])
        promise.succeed(())
        harness.advance(.milliseconds(1))
        #expect(harness.outbound.take().contains { $0.peer == ProxyHarness.carrier && $0.message.statusCode == 486 })
    }

    @Test("a CANCEL before the answer ends the call as cancelled, told once")
    func cancelled() throws {
        let hook = ScriptedHook("watch")
        let (harness, recorder) = try Self.harness([hook])
        harness.deliver(Self.inviteWithSDP(callID: "hook-cancel"), from: ProxyHarness.carrier)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .invite })
        let cancel = """
            CANCEL sip:201@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bKc1\r
            Max-Forwards: 70\r
            From: <sip:+441632960000@127.0.0.10>;tag=caller1\r
            To: <sip:201@127.0.0.1>\r
            Call-ID: hook-cancel\r
            CSeq: 1 CANCEL\r
            Content-Length: 0\r
            \r

            """
        harness.deliver(cancel, from: ProxyHarness.carrier)
        let toPBX = try #require(harness.outbound.take().first { $0.message.method == .cancel })
        harness.deliver(ProxyHarness.answer(toPBX.message, status: 200), from: ProxyHarness.pbx)
        harness.deliver(ProxyHarness.answer(forwarded.message, status: 487), from: ProxyHarness.pbx)
        #expect(hook.ends == [.cancelled])
        #expect(recorder.records.map(\.disposition) == [.noAnswer])
        #expect(recorder.records.first?.hangup == .caller)
    }
}
