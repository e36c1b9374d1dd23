import Foundation
import Testing

@testable import TollgateConfig

@Suite("identity: configuration")
struct IdentityConfigTests {
    /// A readable PEM path for the keys that need one (the content is not read by validation).
    static let readable: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-identity-config-ca.pem").path
        try? "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    @Test("defaults: nothing verified, verstat on P-Asserted-Identity, 60 s, 500 ms, spoofed calls tagged, trunks continue")
    func defaults() throws {
        let config = try TollgateConfig(yaml: ConfigTestSupport.minimal)
        #expect(!config.identity.verifies && !config.identity.isActive)
        #expect(config.identity.verstat == .pai && config.identity.maxAge == 60 && config.identity.fetchBudget == 0.5)
        #expect(config.identity.spoofedAction == .tag)
        #expect(config.trunks[0].identity == .continue && !config.trunks[0].identityRequired)
    }

    @Test("every key is read, and a trunk's policy")
    func keys() throws {
        let yaml = ConfigTestSupport.minimal.replacingOccurrences(
            of: "endpoint: udp:127.0.0.10:5090", with: "endpoint: udp:127.0.0.10:5090\n    identity: reject\n    identity_required: true") + """

            identity:
              trust_anchors: ["\(Self.readable)"]
              certificates: [{ x5u: "https://sti.example.net/a.pem", file: "\(Self.readable)" }]
              x5u_allow: ["*.sti.example.net", "127.0.0.41:8443"]
              x5u_tls_ca: ["\(Self.readable)"]
              max_age: 30
              fetch_budget: 0.25
              country_code: "49"
              international_prefix: "00"
              national_prefix: "0"
              verstat: from
              own_numbers: ["+4930123456*", "2000-2999"]
              vips: ["+491701234567"]
              spoofed_action: reject
              tag_prefix: "? "
              spoofed_tag_prefix: "!! "
            """
        let config = try TollgateConfig(yaml: yaml)
        let identity = config.identity
        #expect(identity.verifies && identity.certificates == [.init(x5u: "https://sti.example.net/a.pem", file: Self.readable)])
        #expect(identity.x5uAllow == ["*.sti.example.net", "127.0.0.41:8443"] && identity.maxAge == 30 && identity.fetchBudget == 0.25)
        #expect(identity.countryCode == "49" && identity.nationalPrefix == "0" && identity.verstat == .from)
        #expect(identity.ownNumbers == ["+4930123456*", "2000-2999"] && identity.vips == ["+491701234567"])
        #expect(identity.spoofedAction == .reject && identity.tagPrefix == "? " && identity.spoofedTagPrefix == "!! ")
        #expect(config.trunks[0].identity == .reject && config.trunks[0].identityRequired)
    }

    @Test("bad values are errors at their path", arguments: [
        ("identity: { verstat: header }", "identity.verstat"),
        ("identity: { spoofed_action: drop }", "identity.spoofed_action"),
        ("identity: { own_numbers: [\"boss\"] }", "identity.own_numbers[0]"),
        ("identity: { vips: [\"+49-170\"] }", "identity.vips[0]"),
        ("identity: { max_age: 0 }", "identity.max_age"),
        ("identity: { fetch_budget: 60 }", "identity.fetch_budget"),
        ("identity: { country_code: \"+1\" }", "identity.country_code"),
        ("identity: { trust_anchors: [/nonexistent/ca.pem] }", "identity.trust_anchors[0]"),
        ("identity: { certificates: [{ x5u: \"http://x/a.pem\", file: /nonexistent.pem }] }", "identity.certificates[0].x5u"),
        ("identity: { certificates: [{ file: /nonexistent.pem }] }", "identity.certificates[0].x5u"),
        ("identity: { tag_prefix: \"a\\r\\nVia: x\" }", "identity.tag_prefix"),
        ("identity: { verify: true }", "identity.verify"),
    ])
    func errors(yaml: String, path: String) {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.minimal + "\n" + yaml)
        #expect(errors.contains { $0.path == path }, "\(errors)")
    }

    @Test("a trunk policy that needs verification without trust anchors is an error")
    func policyWithoutAnchors() {
        let yaml = ConfigTestSupport.minimal.replacingOccurrences(of: "endpoint: udp:127.0.0.10:5090",
                                                                  with: "endpoint: udp:127.0.0.10:5090\n    identity: tag")
        let errors = ConfigTestSupport.errors(yaml)
        #expect(errors.contains { $0.path == "trunks[0].identity" && $0.message.contains("trust_anchors") }, "\(errors)")
    }
}
