import Testing

@testable import TollgateConfig

@Suite("media: configuration")
struct MediaConfigTests {
    @Test("defaults: anchored, ports 20000–39999, SRTP optional outside and off inside")
    func defaults() throws {
        let config = try TollgateConfig(yaml: ConfigTestSupport.minimal)
        #expect(config.media.anchor)
        #expect(config.media.ports == 20_000...39_999)
        #expect(config.media.outside.srtp == .optional && config.media.inside.srtp == .off)
        #expect(config.media.outside.suites == ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"])
        #expect(config.media.timeout == 60 && !config.media.strictSource)
        #expect(config.media.timeoutAction == .hangup, "dead calls are ended unless told otherwise")
        #expect(config.trunks[0].srtp == nil && config.trunks[0].srtpSuites == nil)
    }

    @Test("a trunk's own SRTP policy and suites, and the timeout action, are read")
    func trunkPolicy() throws {
        let config = try TollgateConfig(yaml: ConfigTestSupport.minimal.replacingOccurrences(
            of: "endpoint: udp:127.0.0.10:5090", with: "endpoint: udp:127.0.0.10:5090\n    srtp: required\n    srtp_suites: [AEAD_AES_128_GCM]")
            + "\nmedia: { timeout_action: report }")
        #expect(config.trunks[0].srtp == .required && config.trunks[0].srtpSuites == ["AEAD_AES_128_GCM"])
        #expect(config.media.timeoutAction == .report)
    }

    @Test("every key is read")
    func keys() throws {
        let config = try TollgateConfig(yaml: ConfigTestSupport.minimal + """

            media:
              anchor: true
              ports: 30000-30999
              strict_source: true
              timeout: 90
              outside: { address: 203.0.113.5, srtp: required, suites: [AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_80] }
              inside: { address: 10.0.0.5, srtp: optional }
            """)
        #expect(config.media.ports == 30_000...30_999 && config.media.strictSource && config.media.timeout == 90)
        #expect(config.media.outside == MediaSideConfig(address: "203.0.113.5", srtp: .required, suites: ["AEAD_AES_256_GCM", "AES_CM_128_HMAC_SHA1_80"]))
        #expect(config.media.inside.address == "10.0.0.5" && config.media.inside.srtp == .optional)
        #expect(config.media.inside.suites == ["AES_CM_128_HMAC_SHA1_80"], "suites not given keep the default")
    }

    @Test("a bad range, policy or suite is an error with its line", arguments: [
        ("media: { ports: 70-80 }", "media.ports"),
        ("media: { ports: 30001-30001 }", "media.ports"),
        ("media: { outside: { srtp: maybe } }", "media.outside.srtp"),
        ("media: { inside: { suites: [F8_128_HMAC_SHA1_80] } }", "media.inside.suites[0]"),
        ("media: { outside: { suites: [] } }", "media.outside.suites"),
        ("media: { relay: true }", "media.relay"),
        ("media: { timeout_action: hang }", "media.timeout_action"),
    ])
    func errors(yaml: String, path: String) {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.minimal + "\n" + yaml)
        #expect(errors.contains { $0.path == path }, "\(errors)")
    }

    @Test("a trunk's bad SRTP policy or suite is an error with its line", arguments: [
        ("srtp: always", "trunks[0].srtp"),
        ("srtp_suites: [AES_CM_128_HMAC_SHA1_81]", "trunks[0].srtp_suites[0]"),
    ])
    func trunkErrors(line: String, path: String) {
        let yaml = ConfigTestSupport.minimal.replacingOccurrences(of: "endpoint: udp:127.0.0.10:5090", with: "endpoint: udp:127.0.0.10:5090\n    \(line)")
        let errors = ConfigTestSupport.errors(yaml)
        #expect(errors.contains { $0.path == path }, "\(errors)")
    }
}
