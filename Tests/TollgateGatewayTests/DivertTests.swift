import NIOCore
import SIPCore
import Testing
@testable import TollgateGateway
import TollgateModel
import TollgateConfig

@Suite("Divert now")
struct DivertTests {
    static let yaml = ProxyHarness.yaml + """

        fallback:
          target: "+447700900123"
          trunks: [backup]
        """

    @Test("while divert is on an inbound INVITE goes to the fallback number over the fallback trunk, never to the PBX; off, to the PBX again")
    func divertsInbound() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        harness.proxy.divertsInbound = true
        harness.deliver(ProxyHarness.invite(callID: "diverted"), from: ProxyHarness.carrier)
        let sent = harness.outbound.take()
        let invite = try #require(sent.first { $0.message.method == .invite })
        #expect(invite.peer == ProxyHarness.backup)
        #expect(invite.message.requestURIText == "sip:+447700900123@127.0.0.11:5090")
        #expect(!sent.contains { $0.peer == ProxyHarness.pbx })

        harness.proxy.divertsInbound = false
        harness.deliver(ProxyHarness.invite(branch: "z9hG4bKc2", callID: "normal"), from: ProxyHarness.carrier)
        let normal = try #require(harness.outbound.take().first { $0.message.method == .invite })
        #expect(normal.peer == ProxyHarness.pbx)
    }

    @Test("calls from the PBX to the outside are not diverted")
    func outboundUntouched() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        harness.proxy.divertsInbound = true
        harness.deliver(ProxyHarness.invite(from: ProxyHarness.pbx, callID: "outbound", to: "441632960001"), from: ProxyHarness.pbx)
        let invite = try #require(harness.outbound.take().first { $0.message.method == .invite })
        #expect(invite.peer == ProxyHarness.carrier)
    }
}

@Suite("Routes replaced while running")
struct RoutingReloadTests {
    @Test("new routes take effect for the next call; routes naming a trunk the gateway does not run with are refused and the old ones stay")
    func replace() throws {
        let harness = try ProxyHarness()
        harness.deliver(ProxyHarness.invite(from: ProxyHarness.pbx, callID: "before", to: "441632960001"), from: ProxyHarness.pbx)
        #expect(try #require(harness.outbound.take().first { $0.message.method == .invite }).peer == ProxyHarness.carrier)
        try harness.proxy.replaceRouting(routes: [RouteRule(prefix: "44", trunks: ["backup"])], fallback: nil)
        harness.deliver(ProxyHarness.invite(from: ProxyHarness.pbx, branch: "z9hG4bKc2", callID: "after", to: "441632960002"), from: ProxyHarness.pbx)
        #expect(try #require(harness.outbound.take().first { $0.message.method == .invite }).peer == ProxyHarness.backup)
        #expect(throws: SIPProxy.RoutingRefusal.self) {
            try harness.proxy.replaceRouting(routes: [RouteRule(prefix: "", trunks: ["new-carrier"])], fallback: nil)
        }
        harness.deliver(ProxyHarness.invite(from: ProxyHarness.pbx, branch: "z9hG4bKc3", callID: "still", to: "441632960003"), from: ProxyHarness.pbx)
        #expect(try #require(harness.outbound.take().first { $0.message.method == .invite }).peer == ProxyHarness.backup)
    }
}
