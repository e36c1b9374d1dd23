import Foundation
import Testing
import TollgateConfig
import TollgateModel

@testable import TollgateAudit

@Suite("The nftables ruleset written from the configuration")
struct FirewallRulesetTests {
    static let base = """
        listeners:
          - { name: outside, zone: external, listen: "udp:203.0.113.5:5060" }
          - { name: outside-tls, zone: external, listen: "tls:203.0.113.5:5061", tls_certificate: /dev/null, tls_key: /dev/null }
          - { name: inside, zone: internal, listen: "udp:192.0.2.1:5060" }
        pbx: { endpoint: "udp:192.0.2.20:5060" }
        trunks:
          - { name: carrier, endpoint: "udp:198.51.100.1:5060", allowed_sources: ["198.51.100.0/24", "2001:db8:5::/48"] }
        """

    static func ruleset(_ yaml: String = base, admin: [String] = []) throws -> String {
        let config = try TollgateConfig(yaml: yaml)
        return try FirewallRuleset(config: config, admin: try admin.map { try AddressRange(parsing: $0) },
                                   generated: Date(timeIntervalSince1970: 1_790_000_000)).text
    }

    @Test("SIP reaches the external listeners only from the trunks (both families) and the PBX; the internal one only from the PBX")
    func sip() throws {
        let text = try Self.ruleset()
        #expect(text.contains("elements = { 198.51.100.0/24 }") && text.contains("elements = { 2001:db8:5::/48 }"))
        #expect(text.contains("ip saddr @trunks_v4 ip daddr 203.0.113.5 udp dport 5060 accept"))
        #expect(text.contains("ip6 saddr @trunks_v6 ip daddr 203.0.113.5 udp dport 5060 accept"))
        #expect(text.contains("ip saddr @trunks_v4 ip daddr 203.0.113.5 tcp dport 5061 accept"))
        #expect(text.contains("ip saddr @pbx_v4 ip daddr 192.0.2.1 udp dport 5060 accept"))
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(!lines.contains("ip daddr 203.0.113.5 udp dport 5060 accept"), "SIP is open to no one but trunks and the PBX")
        #expect(text.contains("policy drop;") && text.contains("log prefix \"tollgate-drop \""))
        #expect(text.contains("udp dport 20000-39999 accept"))
        #expect(text.contains("ip saddr @pbx_v4 ip daddr @trunks_v4 accept"))
        #expect(text.contains("ip saddr @pbx_v4 limit rate 10/second log prefix \"tollgate-pbx-egress \" counter drop"))
    }

    @Test("remote phones open SIP on the external listeners to anyone; nothing else opens")
    func remotePhones() throws {
        let text = try Self.ruleset(Self.base + "\nremote_phones: true\n")
        #expect(text.contains("\n        ip daddr 203.0.113.5 udp dport 5060 accept"))
        #expect(text.contains("ip saddr @pbx_v4 ip daddr 192.0.2.1 udp dport 5060 accept"))
    }

    @Test("SSH and the console only from --admin; without it SSH stays open and the console local")
    func management() throws {
        let open = try Self.ruleset(Self.base + "\nconsole: \"127.0.0.1:8443\"\n")
        #expect(open.contains("\n        tcp dport 22 accept") && open.contains("iif \"lo\" ip daddr 127.0.0.1 tcp dport 8443 accept"))
        let closed = try Self.ruleset(Self.base + "\nconsole: \"192.0.2.1:8443\"\n", admin: ["10.20.0.0/16"])
        #expect(closed.contains("ip saddr @admin_v4 tcp dport 22 accept") && !closed.contains("\n        tcp dport 22 accept"))
        #expect(closed.contains("ip saddr @admin_v4 ip daddr 192.0.2.1 tcp dport 8443 accept"))
    }

    @Test("no media rule when media is not anchored; a PBX named by host name is refused")
    func edges() throws {
        #expect(!(try Self.ruleset(Self.base + "\nmedia: { anchor: false }\n")).contains("20000-39999"))
        #expect(throws: FirewallRuleset.Problem.self) {
            try Self.ruleset(Self.base.replacingOccurrences(of: "udp:192.0.2.20:5060", with: "udp:pbx.example.com:5060"))
        }
    }
}
