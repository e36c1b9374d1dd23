import Foundation
import Testing

@testable import TollgateAudit

/// The configuration review against fixture trees: a PBX and phones set up with every mistake the
/// guides warn about (each finding asserted with its file and line), and the same hardened (none).
@Suite("Configuration review: Asterisk, FreeSWITCH and phone provisioning files")
struct ConfigReviewTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The line numbers where `needle` stands in a fixture file (1-based), in order.
    static func lines(of needle: String, in file: String, tree: String = "weak") -> [Int] {
        let text = (try? String(contentsOf: fixtures.appendingPathComponent(tree).appendingPathComponent(file), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { $0.element.contains(needle) ? $0.offset + 1 : nil }
    }

    static func at(_ file: String, _ needle: String, occurrence: Int = 0) -> String {
        let found = lines(of: needle, in: file)
        return "\(file):\(occurrence < found.count ? found[occurrence] : -1)"
    }

    @Test("the weak tree: every finding, with its file and line")
    func weak() throws {
        let findings = try ConfigReview().review(directory: Self.fixtures.appendingPathComponent("weak").path)
        let got = Set(findings.map { "\($0.check) \($0.subject)" })
        let a = "asterisk/", f = "freeswitch/", p = "phones/"
        let expected: Set<String> = [
            // pjsip.conf
            "no-tls-transport \(Self.at(a + "pjsip.conf", "[transport-udp]"))",
            "anonymous-endpoint \(Self.at(a + "pjsip.conf", "[anonymous]"))",
            "no-media-encryption \(Self.at(a + "pjsip.conf", "[anonymous]"))",
            "no-media-encryption \(Self.at(a + "pjsip.conf", "[201]"))",
            "unauthenticated-options \(Self.at(a + "pjsip.conf", "allow_unauthenticated_options=yes"))",
            "trusted-caller-id \(Self.at(a + "pjsip.conf", "trust_id_inbound=yes"))",
            "password-equals-user \(Self.at(a + "pjsip.conf", "password=201"))",
            "default-password \(Self.at(a + "pjsip.conf", "password=1234"))",
            "reused-password \(Self.at(a + "pjsip.conf", "password=Tr0ub4dor", occurrence: 1))",
            // sip.conf
            "guest-calls \(Self.at(a + "sip.conf", "[general]"))",
            "no-tls-transport \(Self.at(a + "sip.conf", "[general]"))",
            "enumeration-leak \(Self.at(a + "sip.conf", "alwaysauthreject=no"))",
            "autocreate-peer \(Self.at(a + "sip.conf", "autocreatepeer=yes"))",
            "insecure-invite \(Self.at(a + "sip.conf", "insecure=port,invite"))",
            "weak-password \(Self.at(a + "sip.conf", "secret=carrier1"))",
            "no-media-encryption \(Self.at(a + "sip.conf", "[carrier]"))",
            // manager.conf and http.conf
            "ami-exposed \(Self.at(a + "manager.conf", "bindaddr=0.0.0.0"))",
            "ami-no-acl \(Self.at(a + "manager.conf", "[admin]"))",
            "default-password \(Self.at(a + "manager.conf", "secret=amp111"))",
            "http-exposed \(Self.at(a + "http.conf", "bindaddr=0.0.0.0"))",
            "http-no-tls \(Self.at(a + "http.conf", "[general]"))",
            // extensions.conf: the dial plan graph
            "guest-toll-route \(Self.at(a + "extensions.conf", "exten => _00X."))",
            "guest-toll-route \(Self.at(a + "extensions.conf", "exten => _X."))",
            "unfiltered-exten \(Self.at(a + "extensions.conf", "exten => _X."))",
            "demo-context \(Self.at(a + "extensions.conf", "[demo]"))",
            // FreeSWITCH
            "default-password \(Self.at(f + "vars.xml", "default_password=1234"))",
            "reused-password \(Self.at(f + "vars.xml", "default_password=1234"))",
            "old-tls-versions \(Self.at(f + "vars.xml", "sip_tls_version"))",
            "esl-exposed \(Self.at(f + "autoload_configs/event_socket.conf.xml", "listen-ip"))",
            "esl-no-acl \(Self.at(f + "autoload_configs/event_socket.conf.xml", "listen-ip"))",
            "default-password \(Self.at(f + "autoload_configs/event_socket.conf.xml", "ClueCon"))",
            "unauthenticated-calls \(Self.at(f + "sip_profiles/external.xml", "auth-calls"))",
            "auth-failures-not-logged \(Self.at(f + "sip_profiles/external.xml", "log-auth-failures"))",
            "no-tls-transport \(Self.at(f + "sip_profiles/external.xml", "<profile"))",
            "default-password \(Self.at(f + "directory/default/1000.xml", "default_password"))",
            "reused-password \(Self.at(f + "directory/default/1000.xml", "default_password"))",
            "password-equals-user \(Self.at(f + "directory/default/1000.xml", "value=\"1001\""))",
            // Phones
            "password-equals-user \(Self.at(p + "y000000000028.cfg", "account.1.password"))",
            "bluetooth-on \(Self.at(p + "y000000000028.cfg", "bluetooth_enable"))",
            "wifi-on \(Self.at(p + "y000000000028.cfg", "wifi.enable"))",
            "web-ui-plain-http \(Self.at(p + "y000000000028.cfg", "http_enable"))",
            "provisioning-not-encrypted \(Self.at(p + "y000000000028.cfg", "server.url"))",
            "reused-password \(Self.at(p + "y000000000044.cfg", "user_password"))",
            "default-password \(Self.at(p + "0004f2000001.cfg", "localAdminPassword"))",
            "provisioning-not-encrypted \(Self.at(p + "0004f2000001.cfg", "serverType"))",
            "weak-password \(Self.at(p + "0004f2000001.cfg", "reg.1.auth.password"))",
            "bluetooth-on \(Self.at(p + "0004f2000001.cfg", "radioOn"))",
            "web-ui-plain-http \(Self.at(p + "0004f2000001.cfg", "secureTunnelRequired"))",
            "default-password \(Self.at(p + "cfg000b82000001.xml", "<P2>"))",
            "default-password \(Self.at(p + "cfg000b82000001.xml", "<P34>"))",
            "reused-password \(Self.at(p + "cfg000b82000001.xml", "<P34>"))",
            "provisioning-not-encrypted \(Self.at(p + "cfg000b82000001.xml", "<P212>"))",
        ]
        #expect(got.subtracting(expected).isEmpty, "found but not expected: \(got.subtracting(expected).sorted())")
        #expect(expected.subtracting(got).isEmpty, "expected but not found: \(expected.subtracting(got).sorted())")
        #expect(findings.allSatisfy { !$0.why.isEmpty && !$0.fix.isEmpty })
    }

    @Test("no finding ever shows a secret")
    func secretsNeverShown() throws {
        let findings = try ConfigReview().review(directory: Self.fixtures.appendingPathComponent("weak").path)
        let text = findings.map { "\($0.why) \($0.fix)" }.joined(separator: "\n")
        for secret in ["Tr0ub4dor&3xyzQ", "carrier1", "amp111", "ClueCon", "Adm1n-Shared-Pass", "Sunshine7"] {
            #expect(!text.contains(secret), "\(secret) is shown")
        }
    }

    @Test("the guest route names how unauthenticated callers get in and what they reach")
    func guestRouteExplained() throws {
        let findings = try ConfigReview().review(directory: Self.fixtures.appendingPathComponent("weak").path)
        let route = try #require(findings.first { $0.check == "guest-toll-route" })
        #expect(route.severity == .critical)
        #expect(route.why.contains("anonymous endpoint") && route.why.contains("guest calls") && route.why.contains("international"), "\(route.why)")
    }

    @Test("the hardened tree yields no finding")
    func hardened() throws {
        let findings = try ConfigReview().review(directory: Self.fixtures.appendingPathComponent("hardened").path)
        #expect(findings.isEmpty, "\(findings.map { "\($0.check) \($0.subject): \($0.why)" })")
    }

    @Test("dial plan patterns match as Asterisk matches them (a national 0N pattern lets 09 premium numbers through)", arguments: [
        ("_00X.", "international"), ("_X.", "international"), ("_9011.", "international"), ("_+.", "international"),
        ("_0900XXXXXX", "premium-rate"), ("_2XX", nil), ("_0NXXXXXXXX", "premium-rate"), ("_0[1-8]XXXXXXXX", nil), ("_[1-5]XXX", nil), ("1000", nil),
    ] as [(String, String?)])
    func patterns(pattern: String, reach: String?) {
        #expect(DialPlanPattern(pattern).tollReach == reach, "\(pattern)")
    }
}
