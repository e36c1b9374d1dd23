import Logging
import NIOCore
import NIOEmbedded
import SIPCore
import SIPTransport
import TollgateConfig

@testable import TollgateGateway

/// Records what the proxy sends, in order.
final class RecordingOutbound: SIPOutbound {
    struct Sent {
        var message: SIPMessage
        var bytes: [UInt8]
        var peer: SIPPeer
        var listener: Int?
    }

    var sent: [Sent] = []

    func send(_ bytes: [UInt8], to peer: SIPPeer, from listener: Int?) {
        guard let message = try? SIPMessage(parsing: bytes) else { fatalError("proxy sent an unparsable message") }
        sent.append(Sent(message: message, bytes: bytes, peer: peer, listener: listener))
    }

    /// Removes and returns everything sent so far.
    func take() -> [Sent] {
        defer { sent.removeAll() }
        return sent
    }
}

/// A proxy on an embedded event loop with a scripted config: trunk `carrier` at 127.0.0.10:5090,
/// trunk `backup` at 127.0.0.11:5090, PBX at 127.0.0.20:5080, listener udp 127.0.0.1:5070.
struct ProxyHarness {
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
            priority: 1
            probe: { interval: 30, timeout: 2, failures: 2 }
          - name: backup
            endpoint: udp:127.0.0.11:5090
            priority: 2
            probe: { interval: 30, timeout: 2, failures: 2 }
        routes:
          - prefix: ""
            trunks: [carrier, backup]
        topology_hiding:
          enabled: true
          strip_headers: ["X-Asterisk-*", "P-Asserted-Identity"]
        """

    let loop = EmbeddedEventLoop()
    let outbound = RecordingOutbound()
    let proxy: SIPProxy

    static let carrier = try! SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.10", port: 5090))
    static let backup = try! SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.11", port: 5090))
    static let pbx = try! SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.20", port: 5080))
    static let attacker = try! SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.66", port: 5060))

    init(yaml: String = ProxyHarness.yaml) throws {
        let config = try TollgateConfig(yaml: yaml)
        let settings = try ProxySettings.resolve(config)
        proxy = SIPProxy(settings: settings, eventLoop: loop, outbound: outbound, logger: Logger(label: "test"))
    }

    /// Whether packets arrive as the reader thread hands them over (parsed and validated before
    /// the proxy sees them), instead of as bytes on the loop.
    var viaReader = false

    func deliver(_ text: String, from peer: SIPPeer) {
        deliver(SIPInboundPacket(bytes: Array(text.utf8), source: peer, listener: 0))
    }

    func deliver(_ message: SIPMessage, from peer: SIPPeer) {
        deliver(SIPInboundPacket(bytes: message.serialized(), source: peer, listener: 0))
    }

    func deliver(_ packet: SIPInboundPacket) {
        if viaReader {
            proxy.receive(prepared: proxy.preparer.prepare(packet))
        } else {
            proxy.receive(packet)
        }
    }

    func advance(_ amount: TimeAmount) { loop.advanceTime(by: amount) }

    /// An INVITE from a trunk (external) towards an extension.
    static func invite(from peer: SIPPeer = carrier, branch: String = "z9hG4bKc1", callID: String = "call-1", to number: String = "201",
                       extraHeaders: String = "") -> String {
        """
        INVITE sip:\(number)@127.0.0.1:5070 SIP/2.0\r
        Via: SIP/2.0/UDP \(peer.ipAddress):\(peer.port);branch=\(branch)\r
        Max-Forwards: 70\r
        From: <sip:+441632960000@\(peer.ipAddress)>;tag=caller1\r
        To: <sip:\(number)@127.0.0.1>\r
        Call-ID: \(callID)\r
        CSeq: 1 INVITE\r
        Contact: <sip:+441632960000@\(peer.ipAddress):\(peer.port)>\r
        \(extraHeaders)Content-Length: 0\r
        \r

        """
    }

    /// A response to `request` as the callee would send it, with `toTag`.
    static func answer(_ request: SIPMessage, status: Int, toTag: String? = "callee1", contact: String? = nil) -> SIPMessage {
        var response = request.makeResponse(status: status, reason: SIPStatus.reasonPhrase(for: status), toTag: toTag)
        if let contact { response.insertHeader(.contact, contact, at: 1) }
        return response
    }
}
