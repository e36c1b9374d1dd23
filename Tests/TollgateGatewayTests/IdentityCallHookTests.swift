import Crypto
import Foundation
import Logging
import NIOCore
import SIPCore
import SIPTransport
import Testing
import TollgateConfig
import TollgateIdentity
import TollgateModel
import TollgateTestSupport

@testable import TollgateGateway

/// A certificate source the test answers: at once, or when the test says.
final class StubCertificateSource: CertificateSource, @unchecked Sendable {
    var certificate: Result<IdentityCertificate, IdentityFailure>
    var held: [EventLoopPromise<Result<IdentityCertificate, IdentityFailure>>] = []
    var hold = false
    private(set) var fetches = 0

    init(_ certificate: Result<IdentityCertificate, IdentityFailure>) {
        self.certificate = certificate
    }

    func certificate(for url: CertificateURL, at time: Date, on eventLoop: any EventLoop)
        -> EventLoopFuture<Result<IdentityCertificate, IdentityFailure>>
    {
        fetches += 1
        guard hold else { return eventLoop.makeSucceededFuture(certificate) }
        let promise = eventLoop.makePromise(of: Result<IdentityCertificate, IdentityFailure>.self)
        held.append(promise)
        return promise.futureResult
    }

    func release() {
        for promise in held { promise.succeed(certificate) }
        held.removeAll()
    }
}

/// Caller identity through the proxy: what the PBX receives (verstat, tags), what the trunk is
/// answered when the policy rejects, the wait for a certificate and a CANCEL during it.
@Suite("Caller identity through the proxy")
struct IdentityCallHookTests {
    static let x5u = "https://cert.example.net/sp.pem"
    static let yaml = """
        listeners:
          - zone: external
            transport: udp
            address: 127.0.0.1
            port: 5070
        pbx:
          endpoint: udp:127.0.0.20:5080
        trunks:
          - name: carrier
            endpoint: udp:127.0.0.10:5090
            probe: { interval: 30, timeout: 2, failures: 2, enabled: false }
        """

    let harness: ProxyHarness
    let authority: ShakenTestAuthority
    let source: StubCertificateSource
    let recorder: ActivityRecorder
    var records: [CallDetailRecord] { recorder.records }

    init(policy: IdentityConfig.Policy = .continue, required: Bool = false, configure: (inout IdentityConfig) -> Void = { _ in }) async throws {
        harness = try ProxyHarness(yaml: Self.yaml)
        authority = try ShakenTestAuthority()
        let chain = try IdentityTrustAnchors.certificates(pem: authority.chainPEM)
        let certificate = try await IdentityTrustAnchors([authority.root]).validate(chain, at: Date()).get()
        source = StubCertificateSource(.success(certificate))
        var config = IdentityConfig()
        config.trustAnchors = ["unused.pem"]
        config.countryCode = "44"
        configure(&config)
        let numbers = TelephoneNumbers(countryCode: config.countryCode)
        let proxy = harness.proxy
        let verifier = CallerIdentityVerifier(passports: PassportVerifier(numbers: numbers), source: source, eventLoop: harness.loop,
                                              budget: .milliseconds(500))
        let screen = CallerIDScreen(numbers: numbers, ownNumbers: config.ownNumbers.compactMap { .init($0, numbers: numbers) },
                                    vips: config.vips.compactMap { .init($0, numbers: numbers) })
        recorder = ActivityRecorder(proxy)
        proxy.addCallHook(IdentityCallHook(verifier: verifier, screen: screen, config: config,
                                           trunks: ["carrier": .init(onFailure: policy, required: required)], events: proxy.events))
        proxy.addCallHook(CallRecordingHook(events: proxy.events) { _ in nil })
    }

    func invite(identity: String?, from: String = "<sip:+441632960000@127.0.0.10>", callID: String = "id-1", extra: String = "") -> String {
        var headers = extra
        if let identity { headers += "Identity: \(identity)\r\n" }
        return ProxyHarness.invite(branch: "z9hG4bK-\(callID)", callID: callID, to: "441632960999", extraHeaders: headers)
            .replacingOccurrences(of: "From: <sip:+441632960000@127.0.0.10>", with: "From: \(from)")
    }

    func signed(orig: String = "441632960000", iat: Date = Date(), signingKey: P256.Signing.PrivateKey? = nil) -> String {
        let token = authority.passport(orig: orig, dest: ["441632960999"], iat: iat, x5u: Self.x5u, signingKey: signingKey)
        return authority.identityHeader(token, info: Self.x5u)
    }

    func sentToPBX() -> [SIPMessage] {
        harness.outbound.take().filter { $0.peer == ProxyHarness.pbx }.map(\.message)
    }

    @Test("a verified call reaches the PBX with verstat=TN-Validation-Passed; the CDR and an event say verified A")
    func verified() async throws {
        harness.deliver(invite(identity: signed(), extra: "P-Asserted-Identity: <sip:+441632960000@127.0.0.10;user=phone>\r\n"),
                        from: ProxyHarness.carrier)
        let invite = try #require(sentToPBX().first)
        let pai = try #require(invite.firstValue(of: .pAssertedIdentity))
        #expect(pai.contains("+441632960000;verstat=TN-Validation-Passed@"))
        #expect(invite.firstValue(of: .from)?.contains("verstat") == false)
        #expect(recorder.events.contains { $0.kind == .identity && $0.rule == "identity-verified" && $0.detail.contains("verified A") })
        harness.deliver(ProxyHarness.answer(invite, status: 486), from: ProxyHarness.pbx)
        #expect(records.first?.identity == "verified-A")
    }

    @Test("a verstat forged by the caller never reaches the PBX")
    func forgedVerstat() async throws {
        harness.deliver(invite(identity: nil, from: "<sip:+441632960000;verstat=TN-Validation-Passed@127.0.0.10>"), from: ProxyHarness.carrier)
        let invite = try #require(sentToPBX().first)
        let from = try #require(invite.firstValue(of: .from))
        #expect(from.contains("verstat=No-TN-Validation"))
        #expect(!from.contains("TN-Validation-Passed"))
    }

    @Test("reject: a bad signature is answered 438, a stale one 403 Stale Date; the PBX sees nothing")
    func reject() async throws {
        let lab = try await IdentityCallHookTests(policy: .reject)
        lab.harness.deliver(lab.invite(identity: lab.signed(signingKey: P256.Signing.PrivateKey())), from: ProxyHarness.carrier)
        var answers = lab.harness.outbound.take()
        #expect(answers.allSatisfy { $0.peer == ProxyHarness.carrier })
        #expect(answers.last?.message.statusCode == 438)
        #expect(answers.last?.message.reasonPhrase == "Invalid Identity Header")

        lab.harness.deliver(lab.invite(identity: lab.signed(iat: Date().addingTimeInterval(-300)), callID: "id-2"), from: ProxyHarness.carrier)
        answers = lab.harness.outbound.take()
        #expect(answers.last?.message.statusCode == 403)
        #expect(answers.last?.message.reasonPhrase == "Stale Date")
        #expect(lab.records.map(\.identity) == ["failed:bad-signature", "failed:iat-stale"])
        #expect(lab.records.allSatisfy { $0.disposition == .rejected && $0.rule == "identity" })
    }

    @Test("a trunk that must sign: a call without Identity is answered 428")
    func required() async throws {
        let lab = try await IdentityCallHookTests(policy: .reject, required: true)
        lab.harness.deliver(lab.invite(identity: nil), from: ProxyHarness.carrier)
        let answer = try #require(lab.harness.outbound.take().last)
        #expect(answer.message.statusCode == 428 && answer.message.reasonPhrase == "Use Identity Header")
    }

    @Test("tag: a failed call goes through with the display name prefixed")
    func tag() async throws {
        let lab = try await IdentityCallHookTests(policy: .tag)
        lab.harness.deliver(lab.invite(identity: lab.signed(orig: "441632960001")), from: ProxyHarness.carrier)
        let invite = try #require(lab.sentToPBX().first)
        let from = try SIPNameAddress(parsing: try #require(invite.firstValue(of: .from)))
        #expect(from.displayName == "[unverified] +441632960000")
        #expect(from.uri.user?.contains("verstat=TN-Validation-Failed") == true)
    }

    @Test("vishing: a call from outside showing an own number is tagged, evented and counted per source")
    func spoofedOwnNumber() async throws {
        let lab = try await IdentityCallHookTests { $0.ownNumbers = ["+44163296*"] }
        for index in 0..<2 {
            lab.harness.deliver(lab.invite(identity: nil, from: "\"Finance\" <sip:+441632960100@127.0.0.10>", callID: "spoof-\(index)"),
                                from: ProxyHarness.carrier)
        }
        let invites = lab.sentToPBX().filter { $0.method == .invite }
        #expect(invites.count == 2)
        let from = try SIPNameAddress(parsing: try #require(invites.first?.firstValue(of: .from)))
        #expect(from.displayName == "[spoofed?] Finance")
        let spoofed = lab.recorder.events.filter { $0.kind == .callerIDSpoofed }
        #expect(spoofed.first?.detail.contains("1 such call") == true)
        // A verified A call from an own number (the company's mobile through the carrier) is not flagged.
        lab.harness.deliver(lab.invite(identity: lab.signed(orig: "441632960100"), from: "<sip:+441632960100@127.0.0.10>", callID: "own-a"),
                            from: ProxyHarness.carrier)
        #expect(lab.recorder.events.filter { $0.kind == .callerIDSpoofed }.count == spoofed.count)
    }

    @Test("a cold cache: the INVITE waits for its certificate, then goes on; one fetch for two calls")
    func waitsForCertificate() async throws {
        source.hold = true
        harness.deliver(invite(identity: signed(), callID: "cold-1"), from: ProxyHarness.carrier)
        harness.deliver(invite(identity: signed(), callID: "cold-2"), from: ProxyHarness.carrier)
        #expect(sentToPBX().isEmpty)
        source.release()
        harness.loop.run()
        let invites = sentToPBX().filter { $0.method == .invite }
        #expect(invites.count == 2)
        #expect(invites.allSatisfy { $0.firstValue(of: .from)?.contains("TN-Validation-Passed") == true })
        #expect(source.fetches == 1)
    }

    @Test("a certificate that does not come within the budget: the call goes on as certificate-timeout")
    func budget() async throws {
        source.hold = true
        harness.deliver(invite(identity: signed()), from: ProxyHarness.carrier)
        harness.advance(.milliseconds(499))
        #expect(sentToPBX().isEmpty)
        harness.advance(.milliseconds(2))
        let invite = try #require(sentToPBX().first)
        #expect(invite.firstValue(of: .from)?.contains("TN-Validation-Failed") == true)
        #expect(recorder.events.contains { $0.rule == "identity-certificate-timeout" })
    }

    @Test("a CANCEL while the certificate is fetched is answered 487 and the call never reaches the PBX")
    func cancelWhileWaiting() async throws {
        source.hold = true
        harness.deliver(invite(identity: signed()), from: ProxyHarness.carrier)
        let cancel = """
            CANCEL sip:441632960999@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bK-id-1\r
            Max-Forwards: 70\r
            From: <sip:+441632960000@127.0.0.10>;tag=caller1\r
            To: <sip:441632960999@127.0.0.1>\r
            Call-ID: id-1\r
            CSeq: 1 CANCEL\r
            Content-Length: 0\r
            \r

            """
        harness.deliver(cancel, from: ProxyHarness.carrier)
        let answers = harness.outbound.take().compactMap(\.message.statusCode)
        #expect(answers.contains(200) && answers.contains(487))
        source.release()
        harness.loop.run()
        harness.advance(.seconds(1))
        #expect(sentToPBX().isEmpty)
    }
}

@Suite("verstat from outside without identity rules")
struct ForgedVerstatTests {
    @Test("a remote phone's or an unverified trunk's verstat is removed even when identity is not configured")
    func removedWithoutRules() throws {
        let harness = try ProxyHarness(yaml: IdentityCallHookTests.yaml)
        harness.proxy.addCallHook(IdentityCallHook(rules: nil, events: harness.proxy.events))
        let invite = ProxyHarness.invite(branch: "z9hG4bK-forged", callID: "forged-1", to: "201")
            .replacingOccurrences(of: "From: <sip:+441632960000@127.0.0.10>",
                                  with: "From: \"Bank\" <sip:+441632960000;verstat=TN-Validation-Passed@127.0.0.10>")
        harness.deliver(invite, from: ProxyHarness.carrier)
        let forwarded = try #require(harness.outbound.take().first { $0.peer == ProxyHarness.pbx }?.message)
        let from = try #require(forwarded.firstValue(of: .from))
        #expect(!from.contains("verstat"), "\(from)")
        #expect(from.contains("+441632960000@127.0.0.10"))
    }
}
