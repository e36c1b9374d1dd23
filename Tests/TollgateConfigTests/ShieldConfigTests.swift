import Foundation
import Testing
@testable import TollgateConfig

@Suite("shield and alerts configuration")
struct ShieldConfigTests {
    static let base = """
        listeners: [{ listen: udp:127.0.0.1:5070 }]
        pbx: udp:127.0.0.20:5080
        trunks:
          - name: carrier
            endpoint: udp:127.0.0.10:5090

        """

    @Test("Defaults are safe: Shield on, scanners blocked, users concealed, three profiles")
    func defaults() throws {
        let config = try TollgateConfig(yaml: Self.base)
        #expect(config.shield.enabled)
        #expect(config.shield.blockScanners)
        #expect(config.shield.concealUsers)
        #expect(Set(config.shield.profiles.keys) == ["trusted", "registered", "untrusted"])
        #expect(config.shield.profiles["trusted"]?.requestsPerSecond == 0)
        #expect(config.shield.bans.duration(forOffence: 1) == 600)
        #expect(config.shield.bans.duration(forOffence: 2) == 2400)
        #expect(config.shield.bans.duration(forOffence: 20) == 604_800)
        #expect(config.alerts.webhook == nil)
    }

    @Test("Every key of the section is read")
    func fullSection() throws {
        let config = try TollgateConfig(yaml: Self.base + """
            shield:
              enabled: true
              trusted_proxies: [192.0.2.1]
              allow: [198.51.100.0/24]
              deny: ["2001:db8::/32"]
              never_ban: [203.0.113.7]
              global_requests_per_second: 500
              max_tracked_sources: 100000
              source_expiry: 300
              profiles:
                untrusted: { requests_per_second: 3 }
                busy: { requests_per_second: 1000, burst: 2000, options_per_minute: 600, ban_after_drops: 0 }
              peers:
                - { name: big-carrier, trunk: carrier, profile: busy }
                - { sources: [198.51.100.7], profile: busy, trusted: false }
              scanners: { block: false, files: [extra.txt] }
              detection:
                enumeration: { count: 5, window: 30 }
                auth_failures: { count: 3 }
              bans: { duration: 60, max_duration: 3600, escalation: 2 }
              conceal_users: false
              auth_realm: pbx.example.com
            alerts:
              node: gw1
              webhook: { url: "https://hooks.example.com/sip", headers: { Authorization: "Bearer s3cret" }, min_severity: critical }
              syslog: { address: "192.0.2.9:5514", facility: local3 }
            """)
        let shield = config.shield
        #expect(shield.trustedProxies.map(\.description) == ["192.0.2.1/32"])
        #expect(shield.deny.map(\.description) == ["2001:db8::/32"])
        #expect(shield.globalRequestsPerSecond == 500)
        #expect(shield.profiles["untrusted"]?.requestsPerSecond == 3)
        #expect(shield.profiles["untrusted"]?.burst == RateProfile.untrusted.burst, "unset keys keep the built-in profile's values")
        #expect(shield.profiles["busy"]?.optionsPerMinute == 600)
        #expect(shield.peers.count == 2)
        #expect(shield.peers[0].trunk == "carrier")
        #expect(shield.peers[1].trusted == false)
        #expect(!shield.blockScanners)
        #expect(shield.fingerprintFiles == ["extra.txt"])
        #expect(shield.enumeration == .init(count: 5, window: 30))
        #expect(shield.authFailures == .init(count: 3, window: 600))
        #expect(shield.bans == .init(duration: 60, maxDuration: 3600, escalation: 2))
        #expect(!shield.concealUsers)
        #expect(shield.authRealm == "pbx.example.com")
        #expect(config.alerts.webhook?.minSeverity == "critical")
        #expect(config.alerts.syslog == AlertsConfig.Syslog(host: "192.0.2.9", port: 5514, facility: "local3"))
        #expect(config.alerts.node == "gw1")
    }

    @Test("Webhook header values never appear in the JSON or in descriptions")
    func webhookSecretsRedacted() throws {
        let config = try TollgateConfig(yaml: Self.base + """
            alerts:
              webhook: { url: "http://127.0.0.1:9/x", headers: { Authorization: "Bearer s3cret" } }
            """)
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(!json.contains("s3cret"))
        #expect(!String(describing: config.alerts).contains("s3cret"))
    }

    @Test("Bad values are reported with their line", arguments: [
        ("shield:\n  profiles:\n    untrusted: { requests_per_second: -1 }\n", 3, "shield.profiles.untrusted.requests_per_second"),
        ("shield:\n  peers:\n    - { trunk: carrier, profile: nosuch }\n", 3, "shield.peers[0].profile"),
        ("shield:\n  peers:\n    - { trunk: nosuch, profile: trusted }\n", 3, "shield.peers[0].trunk"),
        ("shield:\n  detection:\n    malformed: { count: 0 }\n", 3, "shield.detection.malformed.count"),
        ("shield:\n  bans: { duration: 600, max_duration: 60 }\n", 2, "shield.bans.max_duration"),
        ("shield:\n  deny: [10.0.0.1/8]\n", 2, "shield.deny[0]"),
        ("shield:\n  max_tracked_sources: 10\n", 2, "shield.max_tracked_sources"),
        ("shield:\n  rate: 5\n", 2, "shield.rate"),
        ("alerts:\n  webhook: { url: ftp://x }\n", 2, "alerts.webhook.url"),
        ("alerts:\n  syslog: { address: 192.0.2.9, facility: local9 }\n", 2, "alerts.syslog.facility"),
    ])
    func badValues(yaml: String, line: Int, path: String) {
        expectConfigError(base: Self.base, yaml: yaml, line: line, path: path)
    }
}
