import NIOCore
import SIPCore
import SIPTransport
import Testing
import TollgateModel

@testable import TollgateGateway

@Suite("Proxy: registration with trunks and answering their challenges")
struct RegistrationProxyTests {
    static let password = "correct-horse"

    /// The harness's trunks, `carrier` with credentials that register for 120 s.
    static let yaml = ProxyHarness.yaml.replacingOccurrences(of: """
            probe: { interval: 30, timeout: 2, failures: 2 }
          - name: backup
        """, with: """
            probe: { interval: 30, timeout: 2, failures: 2 }
            credentials: { username: alice, password: \(password), realm: carrier.example, register: true, register_expires: 120 }
          - name: backup
        """)

    static func challenge(_ request: SIPMessage, status: Int = 401, nonce: String = "n1", algorithm: SIPDigest.Algorithm = .md5,
                          realm: String = "carrier.example") -> SIPMessage {
        var response = ProxyHarness.answer(request, status: status, toTag: "reg1")
        let header: SIPHeaderName = status == 401 ? .wwwAuthenticate : .proxyAuthenticate
        let value = SIPAuthorization.digestChallenge(realm: realm, nonce: nonce, algorithm: algorithm, qop: "auth")
        response.insertHeader(header, value.description, at: response.headerCount - 1)
        return response
    }

    static func registers(_ sent: [RecordingOutbound.Sent]) -> [SIPMessage] {
        sent.filter { $0.message.method == .register && $0.peer == ProxyHarness.carrier }.map(\.message)
    }

    @Test("REGISTER to the trunk, answered challenge verified with SIPDigest, refresh at 80% of the granted time")
    func registerChallengeRefresh() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        let events = ActivityRecorder(harness.proxy)
        harness.proxy.startRegistrations()

        let sent = harness.outbound.take()
        #expect(sent.count == 1)
        let first = try #require(Self.registers(sent).first)
        #expect(sent.first?.listener == 0)
        #expect(first.requestURIText == "sip:127.0.0.10:5090")
        #expect(first.firstValue(of: .to) == "<sip:alice@127.0.0.10>")
        let from = try first.from()
        #expect(from.uri.description == "sip:alice@127.0.0.10" && from.tag != nil)
        #expect(first.firstValue(of: .contact) == "<sip:alice@127.0.0.1:5070>")
        #expect(first.firstValue(of: .expires) == "120")
        #expect(try first.cseq() == SIPCSeq(sequence: 1, method: .register))
        #expect(!first.contains(.authorization))
        #expect(try first.topVia()?.host == "127.0.0.1")

        harness.deliver(Self.challenge(first), from: ProxyHarness.carrier)
        let authorised = try #require(Self.registers(harness.outbound.take()).first)
        #expect(try authorised.callID() == first.callID())
        #expect(try authorised.from().tag == from.tag)
        #expect(try authorised.cseq().sequence == 2)
        #expect(try authorised.topVia()?.branch != first.topVia()?.branch)
        let credentials = try #require(try authorised.authorizations().first)
        try SIPDigest.verify(credentials, method: "REGISTER", password: Self.password, expectedRealm: "carrier.example", expectedNonce: "n1")
        #expect(credentials.uri == "sip:127.0.0.10:5090")
        #expect(harness.proxy.status().registrations?["carrier"]?.state == "registering")

        // Granted 60 s for our Contact (though 120 s were asked): refresh after 48 s.
        harness.deliver(ProxyHarness.answer(authorised, status: 200, toTag: "reg1", contact: "<sip:alice@127.0.0.1:5070>;expires=60"),
                        from: ProxyHarness.carrier)
        #expect(harness.outbound.take().isEmpty)
        #expect(events.map(\.kind) == [.registered])
        #expect(events.first?.severity == .info)
        #expect(harness.proxy.status().registrations?["carrier"] == RegistrationStatus(state: "registered", expires: 60))
        #expect(!events.contains { $0.detail.contains(Self.password) })

        harness.advance(.seconds(47))
        #expect(Self.registers(harness.outbound.take()).isEmpty)
        harness.advance(.seconds(1))
        let refresh = try #require(Self.registers(harness.outbound.take()).first)
        #expect(try refresh.callID() == first.callID())
        #expect(try refresh.cseq().sequence == 3)
        #expect(!refresh.contains(.authorization))
        harness.deliver(Self.challenge(refresh, nonce: "n2"), from: ProxyHarness.carrier)
        let reauthorised = try #require(Self.registers(harness.outbound.take()).first)
        #expect(try reauthorised.cseq().sequence == 4)
        harness.deliver(ProxyHarness.answer(reauthorised, status: 200, toTag: "reg1", contact: "<sip:alice@127.0.0.1:5070>;expires=60"),
                        from: ProxyHarness.carrier)
        // A refresh is no news: no second event.
        #expect(events.map(\.kind) == [.registered])

        // Shutdown unregisters.
        #expect(harness.proxy.stopRegistrations())
        let unregister = try #require(Self.registers(harness.outbound.take()).first)
        #expect(unregister.firstValue(of: .expires) == "0")
        #expect(unregister.firstValue(of: .contact) == "<sip:alice@127.0.0.1:5070>")
        #expect(try unregister.cseq().sequence == 5)
        harness.deliver(ProxyHarness.answer(unregister, status: 200, toTag: "reg1"), from: ProxyHarness.carrier)
        #expect(!harness.proxy.registrationsPending)
        #expect(harness.proxy.status().registrations?["carrier"]?.state == "stopped")
    }

    @Test("no answer: registration-failed (warning) after timer F, a retry 30 s later; 403 doubles the wait")
    func timeoutAndForbidden() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        let events = ActivityRecorder(harness.proxy)
        harness.proxy.startRegistrations()
        let first = try #require(Self.registers(harness.outbound.take()).first)
        harness.advance(.seconds(31))
        #expect(Self.registers(harness.outbound.take()).allSatisfy { (try? $0.cseq().sequence) == 1 })  // retransmissions only
        harness.advance(.seconds(1))
        #expect(events.map(\.kind) == [.registrationFailed])
        #expect(events.first?.severity == .warning)
        #expect(events.first?.detail == "carrier: no answer; retrying in 30 s")
        #expect(harness.proxy.status().registrations?["carrier"]?.lastFailure == "no answer")
        _ = harness.outbound.take()

        harness.advance(.seconds(29))
        #expect(Self.registers(harness.outbound.take()).isEmpty)
        harness.advance(.seconds(1))
        let retry = try #require(Self.registers(harness.outbound.take()).first)
        #expect(try retry.cseq().sequence == 2)
        #expect(try retry.callID() == first.callID())

        harness.deliver(ProxyHarness.answer(retry, status: 403, toTag: "reg1"), from: ProxyHarness.carrier)
        #expect(events.last?.detail == "carrier: answered 403; retrying in 60 s")
        harness.advance(.seconds(59))
        #expect(Self.registers(harness.outbound.take()).isEmpty)
        harness.advance(.seconds(1))
        #expect(Self.registers(harness.outbound.take()).count == 1)
    }

    @Test("a challenge for another realm gets no credentials; a second 401 after the credentials fails instead of looping")
    func realmAndSecondChallenge() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        let events = ActivityRecorder(harness.proxy)
        harness.proxy.startRegistrations()
        let first = try #require(Self.registers(harness.outbound.take()).first)
        harness.deliver(Self.challenge(first, realm: "evil.example"), from: ProxyHarness.carrier)
        #expect(Self.registers(harness.outbound.take()).isEmpty)
        #expect(events.last?.kind == .registrationFailed)

        harness.advance(.seconds(30))
        let retry = try #require(Self.registers(harness.outbound.take()).first)
        harness.deliver(Self.challenge(retry), from: ProxyHarness.carrier)
        let authorised = try #require(Self.registers(harness.outbound.take()).first)
        harness.deliver(Self.challenge(authorised, nonce: "n2"), from: ProxyHarness.carrier)
        #expect(Self.registers(harness.outbound.take()).isEmpty)
        #expect(events.last?.detail.hasPrefix("carrier: credentials refused") == true)
    }

    @Test("a trunk's 407 to a call from the PBX is answered with the trunk's credentials: same CSeq, new branch, nothing relayed")
    func inviteChallengeAnswered() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        harness.deliver(SIPProxyTrunkTests.outboundInvite(), from: ProxyHarness.pbx)
        let invite = try #require(harness.outbound.take().first { $0.message.method == .invite }).message
        harness.deliver(ProxyHarness.answer(invite, status: 100, toTag: nil), from: ProxyHarness.carrier)
        harness.deliver(Self.challenge(invite, status: 407, algorithm: .sha256), from: ProxyHarness.carrier)

        let sent = harness.outbound.take()
        #expect(!sent.contains { $0.peer == ProxyHarness.pbx }, "the challenge is not relayed to the PBX")
        let ack = try #require(sent.first { $0.message.method == .ack })
        #expect(try ack.message.topVia()?.branch == invite.topVia()?.branch)
        let retried = try #require(sent.first { $0.message.method == .invite }).message
        #expect(try retried.cseq() == invite.cseq())
        #expect(try retried.callID() == invite.callID())
        #expect(try retried.topVia()?.branch != invite.topVia()?.branch)
        #expect(try retried.vias().count == 1)
        #expect(retried.requestURIText == invite.requestURIText)
        let credentials = try #require(try retried.proxyAuthorizations().first)
        try SIPDigest.verify(credentials, method: "INVITE", password: Self.password, expectedRealm: "carrier.example")
        #expect(credentials.uri == invite.requestURIText && credentials.algorithm == "SHA-256")

        // The answer to the authorised INVITE goes back to the PBX as usual.
        harness.deliver(ProxyHarness.answer(retried, status: 200, contact: "<sip:00441632960123@127.0.0.10:5090>"), from: ProxyHarness.carrier)
        let ok = try #require(harness.outbound.take().first)
        #expect(ok.peer == ProxyHarness.pbx && ok.message.statusCode == 200)
        #expect(try ok.message.vias().map(\.branch) == ["z9hG4bKpbx1", "z9hG4bKphone"])
        #expect(harness.proxy.snapshot.confirmedDialogs == 1)
    }

    @Test("a second challenge to the authorised INVITE, and a challenge from a trunk without credentials, go back to the PBX")
    func inviteChallengeOnce() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        harness.deliver(SIPProxyTrunkTests.outboundInvite(), from: ProxyHarness.pbx)
        let invite = try #require(harness.outbound.take().first { $0.message.method == .invite }).message
        harness.deliver(Self.challenge(invite, status: 407), from: ProxyHarness.carrier)
        let retried = try #require(harness.outbound.take().first { $0.message.method == .invite }).message
        harness.deliver(Self.challenge(retried, status: 407, nonce: "n2"), from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        #expect(!sent.contains { $0.message.method == .invite })
        let relayed = try #require(sent.first { $0.peer == ProxyHarness.pbx })
        #expect(relayed.message.statusCode == 407)
        #expect(try relayed.message.cseq().sequence == 10)

        // Without credentials (the harness's plain config), the challenge reaches the PBX at once.
        let plain = try ProxyHarness()
        plain.deliver(SIPProxyTrunkTests.outboundInvite(), from: ProxyHarness.pbx)
        let plainInvite = try #require(plain.outbound.take().first { $0.message.method == .invite }).message
        plain.deliver(Self.challenge(plainInvite, status: 401), from: ProxyHarness.carrier)
        #expect(plain.outbound.take().contains { $0.peer == ProxyHarness.pbx && $0.message.statusCode == 401 })
    }
}
