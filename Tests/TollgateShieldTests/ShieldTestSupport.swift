import SIPCore
import TollgateConfig
@testable import TollgateShield
import TollgateModel

/// Messages and rules for Shield tests.
enum ShieldFixture {
    static let attacker = IPAddress("127.0.0.66")!
    static let phone = IPAddress("127.0.0.30")!
    static let trunk = IPAddress("127.0.0.10")!
    static let pbx = IPAddress("127.0.0.20")!

    static func config(_ edit: (inout ShieldConfig) -> Void = { _ in }) -> TollgateConfig {
        var config = TollgateConfig(
            listeners: [ListenerConfig(endpoint: Endpoint(transport: .udp, host: "127.0.0.1", port: 5060))],
            pbx: PBXConfig(endpoint: Endpoint(transport: .udp, host: "127.0.0.20", port: 5080)),
            trunks: [TrunkConfig(name: "carrier", endpoint: Endpoint(transport: .udp, host: "127.0.0.10", port: 5090))]
        )
        edit(&config.shield)
        return config
    }

    static func engine(_ edit: (inout ShieldConfig) -> Void = { _ in }) throws -> ShieldEngine {
        let rules = ShieldRules(config: config(edit), fingerprints: try ScannerFingerprints.shipped())
        return ShieldEngine(rules: rules, now: 1000)
    }

    static func request(_ method: String, user: String = "100", target: String? = nil, userAgent: String = "Yealink SIP-T46S 66.86.0.15",
                        fromName: String = "Alice", authorization: String? = nil, extra: String = "") -> SIPMessage {
        let counter = UInt32.random(in: 0...UInt32.max)
        let uri = method == "REGISTER" ? "sip:127.0.0.1" : "sip:\(target ?? user)@127.0.0.1"
        var text = """
            \(method) \(uri) SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.30:5060;branch=z9hG4bKtest\(counter)\r
            Max-Forwards: 70\r
            From: "\(fromName)" <sip:\(user)@127.0.0.1>;tag=f\(counter)\r
            To: <sip:\(method == "REGISTER" ? user : (target ?? user))@127.0.0.1>\r
            Call-ID: call-\(counter)@test\r
            CSeq: 1 \(method)\r
            Contact: <sip:\(user)@127.0.0.30:5060>\r
            User-Agent: \(userAgent)\r

            """
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        text += extra
        text += "Content-Length: 0\r\n\r\n"
        return try! SIPMessage(parsing: Array(text.utf8))
    }

    static func response(_ status: Int, to request: SIPMessage, headers: [(SIPHeaderName, String)] = []) -> SIPMessage {
        var response = request.makeResponse(status: status, reason: SIPStatus.reasonPhrase(for: status), toTag: "pbx1")
        for (name, value) in headers { response.insertHeader(name, value, at: response.headerCount - 1) }
        return response
    }

    static let credentials = "Digest username=\"100\", realm=\"asterisk\", nonce=\"1700000000/0f3c\", uri=\"sip:127.0.0.1\", response=\"00000000000000000000000000000000\", algorithm=MD5"
    static let challenge = "Digest realm=\"asterisk\", nonce=\"1732460000/8a7f3c2d9e1b\", opaque=\"5b2c1d0e7f8a9b3c\", algorithm=MD5, qop=\"auth\""
}
