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
    ])
    func errors(yaml: String, path: String) {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.minimal + "\n" + yaml)
        #expect(errors.contains { $0.path == path }, "\(errors)")
    }
}
