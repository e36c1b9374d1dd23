import NIOCore
import SIPCore
import TollgateConfig
import Testing

@testable import TollgateGateway

@Suite("Trunk registration state machine")
struct TrunkRegistrationTests {
    static let password = "correct-horse"
    static let uri = "sip:127.0.0.10:5090"

    static func machine(realm: String? = "carrier.example", expires: Int = 3600) -> TrunkRegistration {
        TrunkRegistration(trunk: "carrier", credentials: TrunkCredentials(username: "alice", password: password, realm: realm, register: true,
                                                                         registerExpires: expires),
                          requestURI: uri)
    }

    static func challenge(realm: String = "carrier.example", nonce: String = "n1", algorithm: SIPDigest.Algorithm = .md5,
                          stale: Bool = false) -> SIPAuthorization {
        .digestChallenge(realm: realm, nonce: nonce, algorithm: algorithm, qop: "auth", stale: stale)
    }

    /// The one request among `actions`.
    static func sent(_ actions: [TrunkRegistration.Action]) -> TrunkRegistration.Request? {
        let requests = actions.compactMap { action -> TrunkRegistration.Request? in
            if case .send(let request) = action { return request }
            return nil
        }
        return requests.count == 1 ? requests[0] : nil
    }

    /// Registers through one challenge; returns the machine registered for `granted` seconds.
    static func registered(granted: Int = 600) throws -> TrunkRegistration {
        var machine = machine()
        _ = machine.start()
        _ = machine.receive(.init(status: 401, cseq: 1, challenges: [challenge()]), cnonce: "c1")
        _ = machine.receive(.init(status: 200, cseq: 2, grantedExpiry: granted), cnonce: "c2")
        try #require(machine.phase == .registered)
        return machine
    }

    @Test("challenge → credentials → 200 → refresh scheduled at 80% of the granted time, without credentials, CSeq going up")
    func challengeThenRegistered() throws {
        var machine = Self.machine()
        let first = machine.start()
        #expect(first == [.cancelTimer, .send(.init(cseq: 1, expires: 3600, credentials: nil))])
        #expect(machine.phase == .registering)

        let answer = machine.receive(.init(status: 401, cseq: 1, challenges: [Self.challenge()]), cnonce: "c0ffee")
        let authorised = try #require(Self.sent(answer))
        #expect(authorised.cseq == 2 && authorised.expires == 3600)
        let credentials = try #require(authorised.credentials)
        #expect(credentials.header == .authorization)
        #expect(credentials.value.username == "alice" && credentials.value.uri == Self.uri && credentials.value.cnonce == "c0ffee")
        try SIPDigest.verify(credentials.value, method: "REGISTER", password: Self.password, expectedRealm: "carrier.example",
                             expectedNonce: "n1")

        let ok = machine.receive(.init(status: 200, cseq: 2, grantedExpiry: 600), cnonce: "unused")
        #expect(ok == [.registered(expires: 600, renewed: false), .schedule(after: .seconds(480))])
        #expect(machine.phase == .registered && machine.grantedExpiry == 600)

        // The refresh: a new cycle, first without credentials.
        let refresh = machine.timerFired()
        #expect(refresh == [.cancelTimer, .send(.init(cseq: 3, expires: 3600, credentials: nil))])
        _ = machine.receive(.init(status: 401, cseq: 3, challenges: [Self.challenge(nonce: "n2")]), cnonce: "c3")
        let renewed = machine.receive(.init(status: 200, cseq: 4, grantedExpiry: 2), cnonce: "unused")
        #expect(renewed == [.registered(expires: 2, renewed: true), .schedule(after: .milliseconds(1600))])
    }

    @Test("a 407 is answered in Proxy-Authorization; SHA-256 is answered with SHA-256; the asked time is used when none is granted")
    func proxyChallengeSHA256() throws {
        var machine = Self.machine(realm: nil, expires: 120)
        _ = machine.start()
        let answer = machine.receive(.init(status: 407, cseq: 1, challenges: [Self.challenge(realm: "any.example", algorithm: .sha256)]),
                                     cnonce: "abc")
        let credentials = try #require(Self.sent(answer)?.credentials)
        #expect(credentials.header == .proxyAuthorization)
        #expect(credentials.value.algorithm == "SHA-256")
        try SIPDigest.verify(credentials.value, method: "REGISTER", password: Self.password, expectedRealm: "any.example")
        #expect(machine.receive(.init(status: 200, cseq: 2), cnonce: "") == [
            .registered(expires: 120, renewed: false), .schedule(after: .seconds(96)),
        ])
    }

    @Test("a 403 fails with a back-off of 30 s, doubling up to 10 minutes; success resets it")
    func forbiddenBacksOff() throws {
        var machine = Self.machine()
        _ = machine.start()
        #expect(machine.receive(.init(status: 403, cseq: 1), cnonce: "") == [
            .failed(reason: "answered 403", retryIn: .seconds(30)), .schedule(after: .seconds(30)),
        ])
        #expect(machine.phase == .failed && machine.lastFailure == "answered 403")
        var delays: [Int64] = []
        for _ in 0..<6 {
            let retry = try #require(Self.sent(machine.timerFired()))
            let actions = machine.receive(.init(status: 403, cseq: retry.cseq), cnonce: "")
            for case .schedule(let delay) in actions { delays.append(delay.nanoseconds / 1_000_000_000) }
        }
        #expect(delays == [60, 120, 240, 480, 600, 600])
        let retry = try #require(Self.sent(machine.timerFired()))
        _ = machine.receive(.init(status: 200, cseq: retry.cseq, grantedExpiry: 3600), cnonce: "")
        #expect(machine.failures == 0 && machine.lastFailure == nil)
        #expect(TrunkRegistration.retryDelay(afterFailures: 1) == .seconds(30))
        #expect(TrunkRegistration.retryDelay(afterFailures: 100) == .minutes(10))
    }

    @Test("a challenge for another realm than the configured one gets no credentials: the attempt fails")
    func realmMismatch() {
        var machine = Self.machine(realm: "carrier.example")
        _ = machine.start()
        let actions = machine.receive(.init(status: 401, cseq: 1, challenges: [Self.challenge(realm: "evil.example")]), cnonce: "c")
        #expect(Self.sent(actions) == nil)
        #expect(machine.phase == .failed)
        #expect(actions.first == .failed(reason: "challenge for realm 'evil.example', credentials are for 'carrier.example'", retryIn: .seconds(30)))
    }

    @Test("a second 401 right after the credentials is a failure, not a loop; a stale nonce is answered once more")
    func secondChallengeFails() throws {
        var machine = Self.machine()
        _ = machine.start()
        _ = machine.receive(.init(status: 401, cseq: 1, challenges: [Self.challenge()]), cnonce: "c1")
        let again = machine.receive(.init(status: 401, cseq: 2, challenges: [Self.challenge(nonce: "n2")]), cnonce: "c2")
        #expect(Self.sent(again) == nil)
        #expect(machine.phase == .failed)
        #expect(machine.lastFailure == "credentials refused (401 again after answering the challenge)")

        var staleMachine = Self.machine()
        _ = staleMachine.start()
        _ = staleMachine.receive(.init(status: 401, cseq: 1, challenges: [Self.challenge()]), cnonce: "c1")
        let stale = staleMachine.receive(.init(status: 401, cseq: 2, challenges: [Self.challenge(nonce: "n2", stale: true)]), cnonce: "c2")
        #expect(try #require(Self.sent(stale)).credentials?.value.nonce == "n2")
        let staleAgain = staleMachine.receive(.init(status: 401, cseq: 3, challenges: [Self.challenge(nonce: "n3", stale: true)]), cnonce: "c3")
        #expect(Self.sent(staleAgain) == nil)
        #expect(staleMachine.phase == .failed)
    }

    @Test("stop unregisters with Expires 0, answering a challenge; a failed registration just stops")
    func unregisterOnStop() throws {
        var machine = try Self.registered()
        let stop = machine.stop()
        #expect(stop == [.cancelTimer, .send(.init(cseq: 3, expires: 0, credentials: nil))])
        #expect(machine.phase == .unregistering)
        let answer = machine.receive(.init(status: 401, cseq: 3, challenges: [Self.challenge(nonce: "n9")]), cnonce: "c9")
        let authorised = try #require(Self.sent(answer))
        #expect(authorised.expires == 0 && authorised.cseq == 4 && authorised.credentials != nil)
        #expect(machine.receive(.init(status: 200, cseq: 4), cnonce: "") == [.unregistered(failure: nil)])
        #expect(machine.phase == .stopped)
        #expect(machine.timerFired().isEmpty)
        #expect(machine.stop().isEmpty)

        var failed = Self.machine()
        _ = failed.start()
        _ = failed.receive(.init(status: 500, cseq: 1), cnonce: "")
        #expect(failed.stop() == [.cancelTimer])
        #expect(failed.phase == .stopped)

        var unanswered = try Self.registered()
        _ = unanswered.stop()
        #expect(unanswered.timedOut(cseq: 3) == [.unregistered(failure: "no answer")])
    }

    @Test("responses to older requests are ignored; a timeout fails the attempt; 423 asks again with Min-Expires")
    func staleResponsesTimeoutsAndMinExpires() throws {
        var machine = Self.machine(expires: 60)
        _ = machine.start()
        _ = machine.receive(.init(status: 401, cseq: 1, challenges: [Self.challenge()]), cnonce: "c")
        #expect(machine.receive(.init(status: 200, cseq: 1), cnonce: "").isEmpty)
        #expect(machine.timedOut(cseq: 1).isEmpty)
        #expect(machine.timedOut(cseq: 2) == [.failed(reason: "no answer", retryIn: .seconds(30)), .schedule(after: .seconds(30))])

        _ = machine.timerFired()
        let raised = machine.receive(.init(status: 423, cseq: 3, minExpires: 300), cnonce: "")
        #expect(Self.sent(raised) == .init(cseq: 4, expires: 300, credentials: nil))
        #expect(machine.receive(.init(status: 423, cseq: 4, minExpires: 900), cnonce: "").first
            == .failed(reason: "answered 423 Interval Too Brief", retryIn: .seconds(60)))
    }

    @Test("the granted time is our Contact's expires, else the Expires header; Min-Expires and challenges are read")
    func responseParsing() throws {
        let contact = try SIPURI(parsing: "sip:alice@127.0.0.1:5070")
        func response(_ headers: String) throws -> SIPMessage {
            try SIPMessage(parsing: Array("""
                SIP/2.0 200 OK\r
                Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r
                From: <sip:alice@127.0.0.10>;tag=a\r
                To: <sip:alice@127.0.0.10>;tag=b\r
                Call-ID: reg-1\r
                CSeq: 7 REGISTER\r
                \(headers)Content-Length: 0\r
                \r

                """.utf8))
        }
        let both = try #require(TrunkRegistration.Response(try response(
            "Contact: <sip:bob@127.0.0.9:5060>;expires=3600, <sip:alice@127.0.0.1:5070>;expires=120\r\nExpires: 900\r\n"), contact: contact))
        #expect(both.status == 200 && both.cseq == 7 && both.grantedExpiry == 120)
        let header = try #require(TrunkRegistration.Response(try response("Contact: <sip:alice@127.0.0.1:5070>\r\nExpires: 900\r\n"),
                                                             contact: contact))
        #expect(header.grantedExpiry == 900)
        let none = try #require(TrunkRegistration.Response(try response(""), contact: contact))
        #expect(none.grantedExpiry == nil)
        let tooBrief = try #require(TrunkRegistration.Response(try response("Min-Expires: 300\r\n"), contact: contact))
        #expect(tooBrief.minExpires == 300)
    }
}
