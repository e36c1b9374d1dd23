import Metrics
import MetricsTestKit
import NIOCore
import SIPCore
import SIPTransport
import Testing
import TollgateConfig
import TollgateModel
import TollgateShield

@testable import TollgateGateway

/// What the reader thread does with a datagram before the SIP loop sees it.
@Suite("Packets prepared off the SIP loop")
struct PacketPreparerTests {
    /// The harness's configuration with an internal listener beside the external one.
    static let yaml = ProxyHarness.yaml.replacingOccurrences(of: """
        listeners:
          - zone: external
            transport: udp
            address: 127.0.0.1
            port: 5070
        """, with: """
        listeners:
          - zone: external
            transport: udp
            address: 127.0.0.1
            port: 5070
          - zone: internal
            transport: udp
            address: 127.0.0.2
            port: 5071
        """)

    static func preparer() throws -> SIPPacketPreparer {
        SIPPacketPreparer(settings: try ProxySettings.resolve(try TollgateConfig(yaml: yaml)))
    }

    static func packet(_ text: String, from peer: SIPPeer, listener: Int = 0) -> SIPInboundPacket {
        SIPInboundPacket(bytes: Array(text.utf8), source: peer, listener: listener)
    }

    /// An INVITE from `peer` whose body claims to be SDP but is not.
    static func inviteWithBrokenSDP(from peer: SIPPeer) -> String {
        let body = "this is no SDP\r\n"
        return ProxyHarness.invite(from: peer)
            .replacingOccurrences(of: "Content-Length: 0\r\n", with: "Content-Type: application/sdp\r\nContent-Length: \(body.utf8.count)\r\n")
            + body
    }

    @Test("the zone: the internal listener and the PBX's address are inside, anything else on the external listener outside")
    func zones() throws {
        let preparer = try Self.preparer()
        #expect(preparer.zone(of: ProxyHarness.carrier, listener: 0) == .external)
        #expect(preparer.zone(of: ProxyHarness.attacker, listener: 0) == .external)
        #expect(preparer.zone(of: ProxyHarness.pbx, listener: 0) == .internal)
        #expect(preparer.zone(of: ProxyHarness.attacker, listener: 1) == .internal)
    }

    @Test("CR and LF alone are a keep-alive (an empty datagram too); bytes that are no SIP are malformed, with the parser's reason")
    func keepAliveAndMalformed() throws {
        let preparer = try Self.preparer()
        for text in ["\r\n\r\n", "\r\n", ""] {
            guard case .keepAlive = preparer.prepare(Self.packet(text, from: ProxyHarness.carrier)).content else {
                Issue.record("\(text.debugDescription) is a keep-alive")
                continue
            }
        }
        let prepared = preparer.prepare(Self.packet("NOT SIP AT ALL\r\n\r\n", from: ProxyHarness.attacker))
        #expect(prepared.zone == .external)
        guard case .malformed(let error) = prepared.content else {
            Issue.record("no SIP message is malformed")
            return
        }
        let direct = Result(catching: { () throws(SIPParseError) in try SIPMessage(parsing: Array("NOT SIP AT ALL\r\n\r\n".utf8)) })
        guard case .failure(let expected) = direct else {
            Issue.record("the parser took it")
            return
        }
        #expect(error == expected, "the parser's own error, unchanged")
    }

    @Test("a request is checked against its zone's rules: a broken SDP body is refused from outside and let through from the PBX")
    func zoneRules() throws {
        let preparer = try Self.preparer()
        let outside = preparer.prepare(Self.packet(Self.inviteWithBrokenSDP(from: ProxyHarness.carrier), from: ProxyHarness.carrier))
        guard case .message(let message, .failure(let error)) = outside.content else {
            Issue.record("a broken SDP body from a trunk fails validation")
            return
        }
        #expect(message.method == .invite)
        #expect(error.status == 400)

        let inside = preparer.prepare(Self.packet(Self.inviteWithBrokenSDP(from: ProxyHarness.pbx), from: ProxyHarness.pbx))
        guard case .message(_, .success(let headers)) = inside.content else {
            Issue.record("the PBX's SDP is not checked")
            return
        }
        #expect(headers.callID == "call-1")
        #expect(headers.topVia.branch == "z9hG4bKc1")

        let unchecked = preparer.prepare(Self.packet(Self.inviteWithBrokenSDP(from: ProxyHarness.carrier), from: ProxyHarness.carrier),
                                         validating: false)
        guard case .message(_, nil) = unchecked.content else {
            Issue.record("without validating, the proxy is left to validate once Shield and admission let the request through")
            return
        }
    }

    @Test("Max-Forwards 0 stops a request but not a response, which is not forwarded on its own count")
    func maxForwardsOnRequestsOnly() throws {
        let preparer = try Self.preparer()
        let request = ProxyHarness.invite().replacingOccurrences(of: "Max-Forwards: 70", with: "Max-Forwards: 0")
        guard case .message(_, .failure(let error)) = preparer.prepare(Self.packet(request, from: ProxyHarness.carrier)).content else {
            Issue.record("a request with Max-Forwards 0 fails validation")
            return
        }
        #expect(error.status == 483)

        var answer = ProxyHarness.answer(try SIPMessage(parsing: Array(ProxyHarness.invite().utf8)), status: 200)
        answer.setHeader(.maxForwards, "0")
        let prepared = preparer.prepare(SIPInboundPacket(bytes: answer.serialized(), source: ProxyHarness.carrier, listener: 0))
        guard case .message(_, .success) = prepared.content else {
            Issue.record("a response's Max-Forwards is not checked")
            return
        }
    }

    @Test("the intake drops a banned or denied source's datagram unparsed and counts it; a lifted ban lets the next one through")
    func intakeRefusesBannedSources() throws {
        let config = try TollgateConfig(yaml: ProxyHarness.yaml + "\nshield:\n  deny: [127.0.0.99]\n")
        let now = 1_000_000.0
        let engine = ShieldEngine(rules: ShieldRules(config: config, fingerprints: try ScannerFingerprints.shipped()), now: now)
        let metrics = TestMetrics()
        let intake = SIPDatagramIntake(preparer: try Self.preparer(), refusals: engine.refusals,
                                       refusedCounter: Counter(label: "tollgate_shield_refused_packets_total", factory: metrics),
                                       keepAliveCounter: Counter(label: "tollgate_sip_keepalives_total", factory: metrics), clock: { now })
        let invite = ProxyHarness.invite(from: ProxyHarness.attacker)
        #expect(intake.take(Self.packet(invite, from: ProxyHarness.attacker)) != nil, "not banned yet")

        let attacker = try #require(IPAddress(ProxyHarness.attacker.ipAddress))
        _ = try #require(engine.ban(attacker, rule: "scanner-fingerprint", reason: "test", now: now))
        #expect(intake.take(Self.packet(invite, from: ProxyHarness.attacker)) == nil)
        #expect(intake.take(Self.packet("garbage", from: ProxyHarness.attacker)) == nil, "refused before any parsing")
        let denied = try SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.99", port: 5060))
        #expect(intake.take(Self.packet(ProxyHarness.invite(from: denied), from: denied)) == nil, "on the deny-list")
        #expect(try metrics.expectCounter("tollgate_shield_refused_packets_total").totalValue == 3)
        #expect(engine.refusedPackets == 3, "Shield counts the refusals made off the loop with its own")

        #expect(engine.lift(attacker, now: now))
        #expect(intake.take(Self.packet(invite, from: ProxyHarness.attacker)) != nil)
        #expect(intake.take(Self.packet(invite, from: ProxyHarness.carrier)) != nil)
    }

    @Test("without Shield the intake prepares every datagram; a keep-alive is counted and goes no further")
    func intakeWithoutShield() throws {
        let metrics = TestMetrics()
        let intake = SIPDatagramIntake(preparer: try Self.preparer(), refusals: nil, refusedCounter: Counter(label: "refused", factory: metrics),
                                       keepAliveCounter: Counter(label: "tollgate_sip_keepalives_total", factory: metrics))
        #expect(intake.take(Self.packet(ProxyHarness.invite(from: ProxyHarness.attacker), from: ProxyHarness.attacker))?.zone == .external)
        #expect(intake.take(Self.packet("\r\n\r\n", from: ProxyHarness.attacker)) == nil)
        #expect(try metrics.expectCounter("tollgate_sip_keepalives_total").totalValue == 1)
    }
}
