import NIOCore
import SIPCore
import SIPTransport
import Testing

@testable import TollgateGateway

@Suite("Proxy core: calls, transactions and dialogs")
struct SIPProxyCallTests {
    @Test("an INVITE from a trunk gets 100 Trying and is forwarded once to the PBX with Via, Record-Route and Max-Forwards")
    func inviteForwarded() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        #expect(sent.count == 2)
        #expect(sent[0].message.statusCode == 100)
        #expect(sent[0].peer == ProxyHarness.carrier)
        let forwarded = sent[1]
        #expect(forwarded.peer == ProxyHarness.pbx)
        #expect(forwarded.message.method == .invite)
        let vias = try forwarded.message.vias()
        #expect(vias.count == 2)
        #expect(vias[0].host == "127.0.0.1" && vias[0].port == 5070)
        #expect(vias[0].hasRFC3261Branch)
        #expect(vias[1].branch == "z9hG4bKc1")
        #expect(try forwarded.message.recordRoutes().first?.uri.hostPort == "127.0.0.1:5070")
        #expect(try forwarded.message.maxForwards() == 69)
    }

    @Test("a retransmitted INVITE is absorbed: 100 Trying again, no second forward")
    func retransmissionAbsorbed() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        _ = harness.outbound.take()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        #expect(sent.count == 1)
        #expect(sent.first?.message.statusCode == 100)
        #expect(sent.first?.peer == ProxyHarness.carrier)
    }

    @Test("a forwarded INVITE is retransmitted over UDP at T1, 2·T1 … until a provisional response")
    func inviteRetransmission() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = harness.outbound.take()[1].message
        harness.advance(.milliseconds(500))
        #expect(harness.outbound.take().map(\.peer) == [ProxyHarness.pbx])
        harness.advance(.milliseconds(1000))
        #expect(harness.outbound.take().count == 1)
        harness.deliver(ProxyHarness.answer(invite, status: 180), from: ProxyHarness.pbx)
        #expect(harness.outbound.take().first?.message.statusCode == 180)
        harness.advance(.seconds(4))
        #expect(harness.outbound.take().isEmpty)
    }

    @Test("a whole call: 180 and 200 go back without Tollgate's Via, the dialog is confirmed, ACK and BYE follow it, BYE's 200 ends it")
    func wholeCall() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = harness.outbound.take()[1].message

        harness.deliver(ProxyHarness.answer(invite, status: 180), from: ProxyHarness.pbx)
        let ringing = try #require(harness.outbound.take().first)
        #expect(ringing.peer == ProxyHarness.carrier)
        #expect(try ringing.message.vias().map(\.branch) == ["z9hG4bKc1"])
        #expect(harness.proxy.snapshot.earlyDialogs == 1)

        harness.deliver(ProxyHarness.answer(invite, status: 200, contact: "<sip:201@127.0.0.20:5080>"), from: ProxyHarness.pbx)
        let ok = try #require(harness.outbound.take().first)
        #expect(ok.message.statusCode == 200)
        #expect(ok.peer == ProxyHarness.carrier)
        #expect(harness.proxy.snapshot.confirmedDialogs == 1)
        #expect(harness.proxy.activeDialogs.first?.trunk == "carrier")

        let inDialog = { (method: String, cseq: Int, branch: String) in
            """
            \(method) sip:201@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.10:5090;branch=\(branch)\r
            Route: <sip:127.0.0.1:5070;lr>\r
            Max-Forwards: 70\r
            From: <sip:+441632960000@127.0.0.10>;tag=caller1\r
            To: <sip:201@127.0.0.1>;tag=callee1\r
            Call-ID: call-1\r
            CSeq: \(cseq) \(method)\r
            Content-Length: 0\r
            \r

            """
        }
        harness.deliver(inDialog("ACK", 1, "z9hG4bKack1"), from: ProxyHarness.carrier)
        let ack = try #require(harness.outbound.take().first)
        #expect(ack.message.method == .ack)
        #expect(ack.peer == ProxyHarness.pbx)
        #expect(!ack.message.contains(.route), "Tollgate's own Route is removed")

        harness.deliver(inDialog("BYE", 2, "z9hG4bKbye1"), from: ProxyHarness.carrier)
        let bye = try #require(harness.outbound.take().first)
        #expect(bye.message.method == .bye)
        #expect(bye.peer == ProxyHarness.pbx)
        harness.deliver(ProxyHarness.answer(bye.message, status: 200), from: ProxyHarness.pbx)
        #expect(harness.outbound.take().first?.peer == ProxyHarness.carrier)
        #expect(harness.proxy.snapshot.confirmedDialogs == 0)
    }

    @Test("a lingering client transaction lets go of its request once answered, and still absorbs a retransmitted 2xx and 486")
    func lingeringTransactionsHoldNoRequest() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = harness.outbound.take()[1].message
        let branch = try #require(try invite.topVia()?.branch)
        let key = ClientTransactionKey(branch: branch, method: .invite)
        harness.deliver(ProxyHarness.answer(invite, status: 180), from: ProxyHarness.pbx)
        #expect(harness.proxy.clientTransactions[key]?.request != nil, "a provisional answer keeps it: a CANCEL is made from it")
        harness.deliver(ProxyHarness.answer(invite, status: 200), from: ProxyHarness.pbx)
        _ = harness.outbound.take()
        let client = try #require(harness.proxy.clientTransactions[key], "the transaction lingers")
        #expect(client.request == nil)
        harness.deliver(ProxyHarness.answer(invite, status: 200), from: ProxyHarness.pbx)
        #expect(harness.outbound.take().map(\.message.statusCode) == [200], "a retransmitted 2xx still goes end to end")

        harness.deliver(ProxyHarness.invite(branch: "z9hG4bKc2", callID: "call-2"), from: ProxyHarness.carrier)
        let second = harness.outbound.take()[1].message
        harness.deliver(ProxyHarness.answer(second, status: 486), from: ProxyHarness.pbx)
        _ = harness.outbound.take()
        let secondBranch = try #require(try second.topVia()?.branch)
        let failed = try #require(harness.proxy.clientTransactions[ClientTransactionKey(branch: secondBranch, method: .invite)])
        #expect(failed.request == nil && failed.ackBytes != nil, "only the ACK is kept")
        harness.deliver(ProxyHarness.answer(second, status: 486), from: ProxyHarness.pbx)
        #expect(harness.outbound.take().map { $0.message.method } == [.ack])
    }

    @Test("a 486 is ACKed hop by hop to the PBX and relayed; the caller's ACK is absorbed")
    func busy() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = harness.outbound.take()[1].message
        harness.deliver(ProxyHarness.answer(invite, status: 486), from: ProxyHarness.pbx)
        let sent = harness.outbound.take()
        #expect(sent.count == 2)
        let ack = try #require(sent.first { $0.message.method == .ack })
        #expect(ack.peer == ProxyHarness.pbx)
        #expect(try ack.message.topVia()?.branch == invite.topVia()?.branch)
        #expect(try ack.message.to().tag == "callee1")
        let busy = try #require(sent.first { $0.message.statusCode == 486 })
        #expect(busy.peer == ProxyHarness.carrier)

        let callerACK = """
            ACK sip:201@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bKc1\r
            Max-Forwards: 70\r
            From: <sip:+441632960000@127.0.0.10>;tag=caller1\r
            To: <sip:201@127.0.0.1>;tag=callee1\r
            Call-ID: call-1\r
            CSeq: 1 ACK\r
            Content-Length: 0\r
            \r

            """
        harness.deliver(callerACK, from: ProxyHarness.carrier)
        #expect(harness.outbound.take().isEmpty)
        // A retransmitted 486 from the PBX gets our ACK again and goes no further.
        harness.deliver(ProxyHarness.answer(invite, status: 486), from: ProxyHarness.pbx)
        #expect(harness.outbound.take().map { $0.message.method } == [.ack])
        #expect(harness.proxy.snapshot.earlyDialogs == 0)
    }

    @Test("CANCEL is answered 200, sent on with the INVITE's branch, and the 487 comes back")
    func cancel() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = harness.outbound.take()[1].message
        harness.deliver(ProxyHarness.answer(invite, status: 180), from: ProxyHarness.pbx)
        _ = harness.outbound.take()

        let cancel = """
            CANCEL sip:201@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bKc1\r
            Max-Forwards: 70\r
            From: <sip:+441632960000@127.0.0.10>;tag=caller1\r
            To: <sip:201@127.0.0.1>\r
            Call-ID: call-1\r
            CSeq: 1 CANCEL\r
            Content-Length: 0\r
            \r

            """
        harness.deliver(cancel, from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        let ok = try #require(sent.first { $0.message.statusCode == 200 })
        #expect(ok.peer == ProxyHarness.carrier)
        let forwarded = try #require(sent.first { $0.message.method == .cancel })
        #expect(forwarded.peer == ProxyHarness.pbx)
        #expect(try forwarded.message.topVia()?.branch == invite.topVia()?.branch)
        #expect(try forwarded.message.cseq() == SIPCSeq(sequence: 1, method: .cancel))

        harness.deliver(ProxyHarness.answer(forwarded.message, status: 200), from: ProxyHarness.pbx)
        harness.deliver(ProxyHarness.answer(invite, status: 487), from: ProxyHarness.pbx)
        let after = harness.outbound.take()
        #expect(after.contains { $0.message.method == .ack && $0.peer == ProxyHarness.pbx })
        #expect(after.contains { $0.message.statusCode == 487 && $0.peer == ProxyHarness.carrier })
    }

    @Test("a CANCEL for no transaction gets 481")
    func cancelUnknown() throws {
        let harness = try ProxyHarness()
        let cancel = ProxyHarness.invite().replacingOccurrences(of: "INVITE", with: "CANCEL")
        harness.deliver(cancel, from: ProxyHarness.carrier)
        #expect(harness.outbound.take().first?.message.statusCode == 481)
    }

    @Test("an in-dialog request for no known dialog gets 481 and is not relayed")
    func unknownDialog() throws {
        let harness = try ProxyHarness()
        let bye = ProxyHarness.invite().replacingOccurrences(of: "INVITE", with: "BYE")
            .replacingOccurrences(of: "To: <sip:201@127.0.0.1>", with: "To: <sip:201@127.0.0.1>;tag=x")
        harness.deliver(bye, from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        #expect(sent.count == 1)
        #expect(sent.first?.message.statusCode == 481)
    }
}

@Suite("Proxy core: admission and validation")
struct SIPProxyAdmissionTests {
    @Test("requests from an address that is no trunk get nothing back (deny by default)")
    func unknownSourceDropped() throws {
        let harness = try ProxyHarness()
        let events = ActivityRecorder(harness.proxy)
        harness.deliver(ProxyHarness.invite(from: ProxyHarness.attacker), from: ProxyHarness.attacker)
        #expect(harness.outbound.take().isEmpty)
        #expect(events.map(\.kind) == [.unknownSource])
        #expect(events.first?.source == "127.0.0.66")
    }

    @Test("Max-Forwards 0 gets 483 and a malformed request 400, neither is forwarded")
    func validation() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite().replacingOccurrences(of: "Max-Forwards: 70", with: "Max-Forwards: 0"), from: ProxyHarness.carrier)
        #expect(harness.outbound.take().map { $0.message.statusCode } == [483])
        harness.deliver(ProxyHarness.invite().replacingOccurrences(of: "CSeq: 1 INVITE", with: "CSeq: 1 BYE"), from: ProxyHarness.carrier)
        #expect(harness.outbound.take().map { $0.message.statusCode } == [400])
    }

    @Test("unparsable bytes are counted and dropped")
    func malformed() throws {
        let harness = try ProxyHarness()
        let events = ActivityRecorder(harness.proxy)
        harness.proxy.receive(SIPInboundPacket(bytes: Array("NOT SIP AT ALL\r\n\r\n".utf8), source: ProxyHarness.carrier, listener: 0))
        #expect(harness.outbound.take().isEmpty)
        #expect(events.map(\.kind) == [.malformed])
    }

    @Test("a response from an address the request did not go to is dropped")
    func spoofedResponse() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = harness.outbound.take()[1].message
        harness.deliver(ProxyHarness.answer(invite, status: 200), from: ProxyHarness.attacker)
        #expect(harness.outbound.take().isEmpty)
    }

    @Test("responses are matched by the validated top Via and CSeq: a stray or malformed one is reported and dropped, a matching one relayed")
    func responseMatching() throws {
        let harness = try ProxyHarness()
        let events = ActivityRecorder(harness.proxy)
        harness.deliver(ProxyHarness.invite(), from: ProxyHarness.carrier)
        let invite = harness.outbound.take()[1].message
        let answer = ProxyHarness.answer(invite, status: 200)
        // Another branch, another CSeq method, no branch at all: no transaction of ours.
        let branch = try #require(try invite.topVia()?.branch)
        let otherBranch = answer.serialized()
        harness.deliver(String(decoding: otherBranch, as: UTF8.self).replacingOccurrences(of: branch, with: "z9hG4bKnotours"), from: ProxyHarness.pbx)
        harness.deliver(String(decoding: otherBranch, as: UTF8.self).replacingOccurrences(of: "1 INVITE", with: "1 OPTIONS"), from: ProxyHarness.pbx)
        harness.deliver(String(decoding: otherBranch, as: UTF8.self).replacingOccurrences(of: ";branch=\(branch)", with: ""), from: ProxyHarness.pbx)
        #expect(harness.outbound.take().isEmpty)
        #expect(events.map(\.kind) == [.strayResponse, .strayResponse, .strayResponse])
        // A malformed answer to our transaction is dropped as invalid; the transaction still takes the good one.
        events.removeAll()
        harness.deliver(String(decoding: otherBranch, as: UTF8.self).replacingOccurrences(of: "Call-ID:", with: "Call-ID: \u{01}"), from: ProxyHarness.pbx)
        #expect(harness.outbound.take().isEmpty)
        #expect(events.map(\.kind) == [.invalid])
        harness.deliver(answer, from: ProxyHarness.pbx)
        #expect(harness.outbound.take().map { $0.message.statusCode } == [200])
    }
}

@Suite("Proxy core: trunks, failover and topology hiding")
struct SIPProxyTrunkTests {
    static func outboundInvite(branch: String = "z9hG4bKpbx1") -> String {
        """
        INVITE sip:00441632960123@127.0.0.1:5070 SIP/2.0\r
        Via: SIP/2.0/UDP 127.0.0.20:5080;branch=\(branch)\r
        Via: SIP/2.0/UDP 10.1.2.3:5060;branch=z9hG4bKphone\r
        Max-Forwards: 70\r
        From: "Reception" <sip:201@127.0.0.20>;tag=pbx1\r
        To: <sip:00441632960123@127.0.0.1>\r
        Call-ID: out-1@127.0.0.20\r
        CSeq: 10 INVITE\r
        Contact: <sip:201@127.0.0.20:5080>\r
        X-Asterisk-HangupCause: none\r
        P-Asserted-Identity: <sip:201@127.0.0.20>\r
        Content-Length: 0\r
        \r

        """
    }

    @Test("a call from the PBX goes to the first trunk with the inside's Via values and internal headers removed, and they come back on the response")
    func outboundCall() throws {
        let harness = try ProxyHarness()
        harness.deliver(Self.outboundInvite(), from: ProxyHarness.pbx)
        let sent = harness.outbound.take()
        let forwarded = try #require(sent.first { $0.message.method == .invite })
        #expect(forwarded.peer == ProxyHarness.carrier)
        let text = String(decoding: forwarded.bytes, as: UTF8.self)
        #expect(!text.contains("10.1.2.3"))
        #expect(!text.contains("X-Asterisk"))
        #expect(!text.contains("P-Asserted-Identity"))
        #expect(try forwarded.message.vias().count == 1)
        #expect(forwarded.message.requestURIText == "sip:00441632960123@127.0.0.10:5090")

        harness.deliver(ProxyHarness.answer(forwarded.message, status: 200), from: ProxyHarness.carrier)
        let ok = try #require(harness.outbound.take().first)
        #expect(ok.peer == ProxyHarness.pbx)
        #expect(try ok.message.vias().map(\.branch) == ["z9hG4bKpbx1", "z9hG4bKphone"])
    }

    @Test("a 503 from the first trunk fails over to the next within the same transaction and marks the trunk down")
    func failoverOn503() throws {
        let harness = try ProxyHarness()
        let events = ActivityRecorder(harness.proxy)
        harness.deliver(Self.outboundInvite(), from: ProxyHarness.pbx)
        let first = try #require(harness.outbound.take().first { $0.message.method == .invite })
        harness.deliver(ProxyHarness.answer(first.message, status: 503), from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        #expect(sent.contains { $0.message.method == .ack && $0.peer == ProxyHarness.carrier })
        let second = try #require(sent.first { $0.message.method == .invite })
        #expect(second.peer == ProxyHarness.backup)
        #expect(!sent.contains { $0.message.statusCode == 503 && $0.peer == ProxyHarness.pbx })
        #expect(!harness.proxy.isTrunkUp("carrier"))
        #expect(events.map(\.kind).contains(.trunkDown))
        #expect(events.map(\.kind).contains(.failover))
        harness.deliver(ProxyHarness.answer(second.message, status: 200), from: ProxyHarness.backup)
        #expect(harness.outbound.take().first { $0.message.statusCode == 200 }?.peer == ProxyHarness.pbx)
    }

    @Test("a trunk that never answers is failed over after timer B; later calls skip it until a probe succeeds")
    func failoverOnTimeoutAndRecovery() throws {
        let harness = try ProxyHarness()
        harness.deliver(Self.outboundInvite(), from: ProxyHarness.pbx)
        _ = harness.outbound.take()
        harness.advance(.seconds(33))
        let sent = harness.outbound.take()
        #expect(sent.contains { $0.message.method == .invite && $0.peer == ProxyHarness.backup })
        #expect(!harness.proxy.isTrunkUp("carrier"))

        harness.deliver(Self.outboundInvite(branch: "z9hG4bKpbx2").replacingOccurrences(of: "out-1@", with: "out-2@"), from: ProxyHarness.pbx)
        let next = harness.outbound.take().first { $0.message.method == .invite }
        #expect(next?.peer == ProxyHarness.backup)

        harness.proxy.probeTrunks()
        let probes = harness.outbound.take().filter { $0.message.method == .options }
        #expect(Set(probes.map(\.peer)) == [ProxyHarness.carrier, ProxyHarness.backup])
        let carrierProbe = try #require(probes.first { $0.peer == ProxyHarness.carrier })
        harness.deliver(ProxyHarness.answer(carrierProbe.message, status: 200), from: ProxyHarness.carrier)
        #expect(harness.proxy.isTrunkUp("carrier"))
    }

    @Test("unanswered probes mark a trunk down after the configured number of failures")
    func probeFailures() throws {
        let harness = try ProxyHarness()
        harness.proxy.probeTrunks()
        harness.advance(.seconds(3))
        #expect(harness.proxy.isTrunkUp("carrier"))
        harness.proxy.probeTrunks()
        harness.advance(.seconds(3))
        #expect(!harness.proxy.isTrunkUp("carrier"))
        #expect(!harness.proxy.isTrunkUp("backup"))
    }

    @Test("with every trunk down a call from the PBX gets 503 and an event")
    func noTrunkUp() throws {
        let harness = try ProxyHarness()
        let events = ActivityRecorder(harness.proxy)
        for _ in 0..<2 {
            harness.proxy.probeTrunks()
            harness.advance(.seconds(3))
        }
        _ = harness.outbound.take()
        harness.deliver(Self.outboundInvite(), from: ProxyHarness.pbx)
        let sent = harness.outbound.take()
        #expect(sent.contains { $0.message.statusCode == 503 && $0.peer == ProxyHarness.pbx })
        #expect(events.map(\.kind).contains(.noRoute))
    }
}

@Suite("Proxy core: Via received/rport and strict routing")
struct SIPProxyViaTests {
    @Test("the caller's Via gets received and rport filled in from the packet's source (RFC 3581)")
    func receivedAndRport() throws {
        let harness = try ProxyHarness()
        let invite = ProxyHarness.invite().replacingOccurrences(of: "Via: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bKc1",
                                                                 with: "Via: SIP/2.0/UDP 192.168.1.9:5060;branch=z9hG4bKc1;rport")
        harness.deliver(invite, from: ProxyHarness.carrier)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .invite })
        let caller = try forwarded.message.vias()[1]
        #expect(caller.received == "127.0.0.10")
        #expect(caller.rport == .value(5090))
    }

    @Test("a Request-URI naming Tollgate without lr, from a strict router, is replaced by the last Route")
    func strictRouting() throws {
        let harness = try ProxyHarness()
        let invite = ProxyHarness.invite().replacingOccurrences(of: "INVITE sip:201@127.0.0.1:5070 SIP/2.0",
                                                                 with: "INVITE sip:127.0.0.1:5070 SIP/2.0")
            .replacingOccurrences(of: "Max-Forwards: 70\r\n", with: "Max-Forwards: 70\r\nRoute: <sip:201@127.0.0.20:5080>\r\n")
        harness.deliver(invite, from: ProxyHarness.carrier)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .invite })
        #expect(forwarded.message.requestURIText == "sip:201@127.0.0.20:5080")
        #expect(!forwarded.message.contains(.route))
    }
}
