import NIOCore
import SIPCore
import SIPTransport
import Testing
import TollgateConfig
import TollgateShield

@testable import TollgateGateway
import TollgateModel

/// Shield wired into the proxy: what reaches the PBX, what the outside sees, what is recorded.
@Suite("Shield in the gateway")
struct ShieldGatewayTests {
    static let yaml = ProxyHarness.yaml + "\nremote_phones: true\n"
    static let phone = try! SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.77", port: 40_123))
    static let attacker = ProxyHarness.attacker

    /// A harness with Shield on, a fixed clock, and the events and bans it produced.
    final class Shielded {
        let harness: ProxyHarness
        let recorder: ActivityRecorder
        var events: [GatewayEvent] { recorder.events }
        var bans: [Ban] { recorder.bans }
        var now = 1_000_000.0

        init(yaml: String = ShieldGatewayTests.yaml) throws {
            harness = try ProxyHarness(yaml: yaml)
            let config = try TollgateConfig(yaml: yaml)
            let engine = ShieldEngine(rules: ShieldRules(config: config, fingerprints: try ScannerFingerprints.shipped()), now: now)
            harness.proxy.shield = engine
            recorder = ActivityRecorder(harness.proxy)
            harness.proxy.clock = { [weak self] in self?.now ?? 0 }
        }

        var toPBX: [RecordingOutbound.Sent] { harness.outbound.sent.filter { $0.peer == ProxyHarness.pbx } }
    }

    static func register(user: String, branch: String, userAgent: String = "Yealink SIP-T46S", authorization: String? = nil) -> String {
        """
        REGISTER sip:127.0.0.1:5070 SIP/2.0\r
        Via: SIP/2.0/UDP 192.168.1.50:5062;branch=\(branch);rport\r
        Max-Forwards: 70\r
        From: <sip:\(user)@127.0.0.1>;tag=ph\(branch)\r
        To: <sip:\(user)@127.0.0.1>\r
        Call-ID: reg-\(branch)\r
        CSeq: 1 REGISTER\r
        Contact: <sip:\(user)@192.168.1.50:5062>;expires=600\r
        User-Agent: \(userAgent)\r
        \(authorization.map { "Authorization: \($0)\r\n" } ?? "")Content-Length: 0\r
        \r

        """
    }

    @Test("A scanner is banned at its first request, and nothing from it reaches the PBX afterwards")
    func scannerBanned() throws {
        let shielded = try Shielded()
        shielded.harness.deliver(Self.register(user: "100", branch: "z9hG4bKs1", userAgent: "friendly-scanner"), from: Self.attacker)
        #expect(shielded.bans.count == 1)
        #expect(shielded.bans.first?.rule == "scanner-fingerprint")
        #expect(shielded.events.contains { $0.kind.rawValue == "scanner" && $0.detail.contains("sipvicious") && $0.source == "127.0.0.66" })
        #expect(shielded.events.contains { $0.kind == .ban })
        for index in 0..<20 {
            shielded.harness.deliver(Self.register(user: "1\(index)", branch: "z9hG4bKs\(index + 2)"), from: Self.attacker)
        }
        #expect(shielded.toPBX.isEmpty)
        #expect(shielded.harness.outbound.sent.isEmpty, "a banned source gets no answer at all")
    }

    @Test("A banned source's TCP and TLS connections are refused before anything is read from them")
    func connectionsRefused() throws {
        let shielded = try Shielded()
        #expect(!shielded.harness.proxy.refusesConnection(from: Self.attacker.address))
        shielded.harness.deliver(Self.register(user: "100", branch: "z9hG4bKs1", userAgent: "friendly-scanner"), from: Self.attacker)
        #expect(shielded.harness.proxy.refusesConnection(from: Self.attacker.address))
        #expect(!shielded.harness.proxy.refusesConnection(from: Self.phone.address))
    }

    @Test("A banned source's packets are not even parsed: garbage from it makes no malformed event")
    func refusedBeforeParsing() throws {
        let shielded = try Shielded()
        shielded.harness.deliver(Self.register(user: "100", branch: "z9hG4bKs1", userAgent: "sipcli/v1.8"), from: Self.attacker)
        let before = shielded.events.count
        shielded.harness.deliver("\u{01}\u{02} not SIP at all", from: Self.attacker)
        #expect(shielded.events.count == before)
        #expect(shielded.harness.proxy.shield?.refusedPackets == 1)
    }

    @Test("A scanner from an address that is no trunk is banned even when remote phones are off")
    func scannerBannedWithoutRemotePhones() throws {
        let shielded = try Shielded(yaml: ProxyHarness.yaml)
        shielded.harness.deliver(Self.register(user: "100", branch: "z9hG4bKs1", userAgent: "friendly-scanner"), from: Self.attacker)
        #expect(shielded.bans.count == 1)
        #expect(shielded.harness.outbound.sent.isEmpty)
    }

    @Test("The PBX's 404 for an unknown user goes out as the challenge a known user gets")
    func unknownUserConcealed() throws {
        let shielded = try Shielded()
        let challenge = "Digest realm=\"asterisk\", nonce=\"1732460000/8a7f3c2d9e1b\", algorithm=MD5, qop=\"auth\""
        // A known user: the PBX challenges.
        shielded.harness.deliver(Self.register(user: "204", branch: "z9hG4bKk1"), from: Self.phone)
        let known = try #require(shielded.harness.outbound.take().first { $0.peer == ProxyHarness.pbx })
        var unauthorized = ProxyHarness.answer(known.message, status: 401)
        unauthorized.insertHeader(.wwwAuthenticate, challenge, at: unauthorized.headerCount - 1)
        shielded.harness.deliver(unauthorized, from: ProxyHarness.pbx)
        let knownAnswer = try #require(shielded.harness.outbound.take().first)
        // An unknown user: the PBX says 404, the phone sees a challenge.
        shielded.harness.deliver(Self.register(user: "999", branch: "z9hG4bKk2"), from: Self.phone)
        let unknown = try #require(shielded.harness.outbound.take().first { $0.peer == ProxyHarness.pbx })
        shielded.harness.deliver(ProxyHarness.answer(unknown.message, status: 404), from: ProxyHarness.pbx)
        let unknownAnswer = try #require(shielded.harness.outbound.take().first)
        #expect(unknownAnswer.peer == Self.phone)
        #expect(unknownAnswer.message.statusCode == 401)
        #expect(unknownAnswer.message.headerFields.map(\.name) == knownAnswer.message.headerFields.map(\.name))
        #expect(try unknownAnswer.message.wwwAuthenticates().first?.realm == "asterisk")
        #expect(try unknownAnswer.message.wwwAuthenticates().first?.nonce != "1732460000/8a7f3c2d9e1b")
    }

    @Test("Ten failed logins ban the source; the eleventh try never reaches the PBX")
    func bruteForceBanned() throws {
        let shielded = try Shielded()
        let credentials = "Digest username=\"204\", realm=\"asterisk\", nonce=\"1/2\", uri=\"sip:127.0.0.1:5070\", response=\"0123456789abcdef0123456789abcdef\""
        for attempt in 1...10 {
            shielded.now += 7
            shielded.harness.deliver(Self.register(user: "204", branch: "z9hG4bKb\(attempt)", authorization: credentials), from: Self.attacker)
            guard let forwarded = shielded.harness.outbound.take().first(where: { $0.peer == ProxyHarness.pbx }) else {
                Issue.record("attempt \(attempt) did not reach the PBX")
                return
            }
            shielded.harness.deliver(ProxyHarness.answer(forwarded.message, status: 403), from: ProxyHarness.pbx)
        }
        #expect(shielded.bans.first?.rule == "auth-failures")
        _ = shielded.harness.outbound.take()
        shielded.harness.deliver(Self.register(user: "204", branch: "z9hG4bKb11", authorization: credentials), from: Self.attacker)
        #expect(shielded.harness.outbound.take().isEmpty)
    }

    @Test("A flood of malformed messages bans its source; a trunk's malformed traffic is counted, never banned")
    func malformedFlood() throws {
        let shielded = try Shielded()
        for _ in 0..<10 { shielded.harness.deliver("INVITE nonsense\r\n\r\n", from: Self.attacker) }
        #expect(shielded.bans.first?.rule == "malformed-flood")
        for _ in 0..<50 { shielded.harness.deliver("INVITE nonsense\r\n\r\n", from: ProxyHarness.carrier) }
        #expect(shielded.bans.count == 1)
    }

    @Test("A flood makes a handful of events, not one per packet, and says how many were held back")
    func eventsThrottled() throws {
        let shielded = try Shielded()
        for _ in 0..<200 { shielded.harness.deliver("INVITE nonsense\r\n\r\n", from: ProxyHarness.carrier) }
        let malformed = shielded.events.filter { $0.kind == .malformed }
        #expect(malformed.count == 5)
        shielded.now += 11
        shielded.harness.deliver("INVITE nonsense\r\n\r\n", from: ProxyHarness.carrier)
        #expect(shielded.events.last?.detail.contains("195 more like it") == true)
    }

    @Test("Trunk calls pass Shield untouched")
    func trunkCallsPass() throws {
        let shielded = try Shielded()
        for index in 0..<200 {
            shielded.harness.deliver(ProxyHarness.invite(branch: "z9hG4bKt\(index)", callID: "t-\(index)", to: "20\(index % 10)"), from: ProxyHarness.carrier)
        }
        #expect(shielded.toPBX.filter { $0.message.method == .invite }.count == 200)
        #expect(shielded.bans.isEmpty)
    }
}
