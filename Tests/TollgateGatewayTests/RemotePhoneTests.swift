import NIOCore
import SIPCore
import SIPTransport
import Testing

@testable import TollgateGateway

@Suite("Remote phones")
struct RemotePhoneTests {
    static let yaml = ProxyHarness.yaml + "\nremote_phones: true\n"
    static let phone = try! SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.77", port: 40_123))

    static let register = """
        REGISTER sip:127.0.0.1:5070 SIP/2.0\r
        Via: SIP/2.0/UDP 192.168.1.50:5062;branch=z9hG4bKreg1;rport\r
        Max-Forwards: 70\r
        From: <sip:204@127.0.0.1>;tag=ph1\r
        To: <sip:204@127.0.0.1>\r
        Call-ID: reg-1\r
        CSeq: 1 REGISTER\r
        Contact: <sip:204@192.168.1.50:5062;line=abc>;expires=600\r
        Content-Length: 0\r
        \r

        """

    @Test("a phone behind NAT registers through Tollgate, sees its own binding, and the PBX's call reaches it at its NAT address")
    func registerAndCall() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        harness.deliver(Self.register, from: Self.phone)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .register })
        #expect(forwarded.peer == ProxyHarness.pbx)
        let binding = try #require(try forwarded.message.contacts().first?.address)
        #expect(binding.uri.hostPort == "127.0.0.1:5070")
        #expect(binding.uri.user == "204")
        #expect(binding.parameters.unquotedValue("expires") == "600")
        let token = try #require(binding.uri.parameters.unquotedValue("tgr"))

        var ok = ProxyHarness.answer(forwarded.message, status: 200)
        ok.setHeader(.contact, "\(binding);expires=600, <sip:204@10.9.9.9:5060>;expires=100")
        harness.deliver(ok, from: ProxyHarness.pbx)
        let toPhone = try #require(harness.outbound.take().first)
        #expect(toPhone.peer == Self.phone)
        #expect(try toPhone.message.contacts().map { $0.address?.uri.description } == ["sip:204@192.168.1.50:5062;line=abc"])
        #expect(!String(decoding: toPhone.bytes, as: UTF8.self).contains("10.9.9.9"), "another device's binding is not shown outside")

        let invite = """
            INVITE sip:204@127.0.0.1:5070;tgr=\(token) SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.20:5080;branch=z9hG4bKpbxinv\r
            Max-Forwards: 70\r
            From: <sip:201@127.0.0.20>;tag=p1\r
            To: <sip:204@127.0.0.20>\r
            Call-ID: in-1@127.0.0.20\r
            CSeq: 1 INVITE\r
            Contact: <sip:201@127.0.0.20:5080>\r
            Content-Length: 0\r
            \r

            """
        harness.deliver(invite, from: ProxyHarness.pbx)
        let call = try #require(harness.outbound.take().first { $0.message.method == .invite })
        #expect(call.peer == Self.phone, "sent to the address the REGISTER came from, not the private Contact")
        #expect(call.message.requestURIText == "sip:204@192.168.1.50:5062;line=abc")
    }

    @Test("keep-alive datagrams of CR and LF are absorbed without an answer or an event")
    func keepAlive() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        let events = ActivityRecorder(harness.proxy)
        harness.deliver("\r\n\r\n", from: Self.phone)
        harness.deliver("\r\n", from: Self.phone)
        #expect(harness.outbound.take().isEmpty)
        #expect(events.isEmpty)
    }

    @Test("without remote_phones a REGISTER from an unknown address is dropped")
    func remotePhonesOff() throws {
        let harness = try ProxyHarness()
        harness.deliver(Self.register, from: Self.phone)
        #expect(harness.outbound.take().isEmpty)
    }
}

@Suite("Remote phones with RFC 3327 Path")
struct RemotePhonePathTests {
    static let yaml = ProxyHarness.yaml + "\nremote_phones: true\nremote_phones_path: true\n"

    @Test("the REGISTER reaches the PBX with a Path to Tollgate and the phone's own Contact; the PBX's call routed by that Path reaches the phone's NAT address")
    func pathRegistration() throws {
        let harness = try ProxyHarness(yaml: Self.yaml)
        harness.deliver(RemotePhoneTests.register, from: RemotePhoneTests.phone)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .register })
        #expect(try forwarded.message.contacts().first?.address?.uri.description == "sip:204@192.168.1.50:5062;line=abc")
        let path = try #require(try forwarded.message.paths().first)
        #expect(path.uri.hostPort == "127.0.0.1:5070")
        #expect(path.uri.parameters.contains("lr"))
        #expect(try forwarded.message.supported().contains("path"))

        var ok = ProxyHarness.answer(forwarded.message, status: 200)
        ok.setHeader(.contact, "<sip:204@192.168.1.50:5062;line=abc>;expires=600, <sip:204@10.9.9.9:5060>;expires=100")
        ok.insertHeader(.path, forwarded.message.values(of: .path)[0], at: 1)
        harness.deliver(ok, from: ProxyHarness.pbx)
        let toPhone = try #require(harness.outbound.take().first)
        #expect(toPhone.peer == RemotePhoneTests.phone)
        #expect(!toPhone.message.contains(.path))
        #expect(try toPhone.message.contacts().map { $0.address?.uri.description } == ["sip:204@192.168.1.50:5062;line=abc"])

        let invite = """
            INVITE sip:204@192.168.1.50:5062;line=abc SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.20:5080;branch=z9hG4bKpbxpath\r
            Route: \(forwarded.message.values(of: .path)[0])\r
            Max-Forwards: 70\r
            From: <sip:201@127.0.0.20>;tag=p1\r
            To: <sip:204@127.0.0.20>\r
            Call-ID: in-path-1@127.0.0.20\r
            CSeq: 1 INVITE\r
            Contact: <sip:201@127.0.0.20:5080>\r
            Content-Length: 0\r
            \r

            """
        harness.deliver(invite, from: ProxyHarness.pbx)
        let call = try #require(harness.outbound.take().first { $0.message.method == .invite })
        #expect(call.peer == RemotePhoneTests.phone, "sent to the address the REGISTER came from")
        #expect(call.message.requestURIText == "sip:204@192.168.1.50:5062;line=abc")
        #expect(!call.message.contains(.route), "Tollgate's own Route is consumed")
    }
}
