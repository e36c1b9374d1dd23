import Testing
@testable import TollgateConfig

@Suite("fraud configuration")
struct FraudConfigTests {
    static let base = """
        listeners: [{ listen: udp:127.0.0.1:5070 }]
        pbx: udp:127.0.0.20:5080
        trunks:
          - name: carrier
            endpoint: udp:127.0.0.10:5090

        """

    @Test("Defaults are a UK-style plan: 44, 0, 00, 2-5 digit extensions, 112 and 999, mobiles 7")
    func defaults() throws {
        let numbering = try TollgateConfig(yaml: Self.base).fraud.numbering
        #expect(numbering == FraudConfig.Numbering())
        #expect(numbering.countryCode == "44")
        #expect(numbering.nationalPrefix == "0")
        #expect(numbering.internationalPrefix == "00")
        #expect(numbering.extensionDigits == FraudConfig.DigitRange(min: 2, max: 5))
        #expect(numbering.emergency == ["112", "999"])
        #expect(numbering.mobilePrefixes == ["7"])
        #expect(numbering.internalPrefixes.isEmpty)
        #expect(numbering.highRiskPrefixes.isEmpty)
    }

    @Test("Every key of the numbering plan is read, numbers keep their leading zeros")
    func fullSection() throws {
        let config = try TollgateConfig(yaml: Self.base + """
            fraud:
              numbering:
                country_code: 1
                national_prefix: 1
                international_prefix: 011
                extension_digits: [3, 4]
                internal_prefixes: [2, "3"]
                emergency: [911, 933]
                mobile_prefixes: []
                high_risk_prefixes: ["+1876", 252]
            """)
        let numbering = config.fraud.numbering
        #expect(numbering.countryCode == "1")
        #expect(numbering.nationalPrefix == "1")
        #expect(numbering.internationalPrefix == "011")
        #expect(numbering.extensionDigits == FraudConfig.DigitRange(min: 3, max: 4))
        #expect(numbering.internalPrefixes == ["2", "3"])
        #expect(numbering.emergency == ["911", "933"])
        #expect(numbering.mobilePrefixes.isEmpty)
        #expect(numbering.highRiskPrefixes == ["+1876", "252"])
    }

    @Test("Bad values are reported with their line", arguments: [
        ("fraud:\n  numbering:\n    country_code: 0044\n", 3, "fraud.numbering.country_code"),
        ("fraud:\n  numbering:\n    country_code: 4a\n", 3, "fraud.numbering.country_code"),
        ("fraud:\n  numbering:\n    national_prefix: o\n", 3, "fraud.numbering.national_prefix"),
        ("fraud:\n  numbering:\n    international_prefix: \"\"\n", 3, "fraud.numbering.international_prefix"),
        ("fraud:\n  numbering:\n    international_prefix: 0\n", 3, "fraud.numbering.international_prefix"),
        ("fraud:\n  numbering:\n    extension_digits: [5, 2]\n", 3, "fraud.numbering.extension_digits"),
        ("fraud:\n  numbering:\n    extension_digits: [2]\n", 3, "fraud.numbering.extension_digits"),
        ("fraud:\n  numbering:\n    extension_digits: [2, x]\n", 3, "fraud.numbering.extension_digits[1]"),
        ("fraud:\n  numbering:\n    emergency:\n      - 112\n      - \"\"\n", 5, "fraud.numbering.emergency[1]"),
        ("fraud:\n  numbering:\n    mobile_prefixes: [7, \"7 1\"]\n", 3, "fraud.numbering.mobile_prefixes[1]"),
        ("fraud:\n  numbering:\n    internal_prefixes: [\"\"]\n", 3, "fraud.numbering.internal_prefixes[0]"),
        ("fraud:\n  numbering:\n    high_risk_prefixes:\n      - \"+0252\"\n", 4, "fraud.numbering.high_risk_prefixes[0]"),
        ("fraud:\n  numbering:\n    emergency: 112\n", 3, "fraud.numbering.emergency"),
        ("fraud:\n  numbering:\n    country: 44\n", 3, "fraud.numbering.country"),
        ("fraud:\n  limits: {}\n", 2, "fraud.limits"),
    ])
    func badValues(yaml: String, line: Int, path: String) {
        expectConfigError(base: Self.base, yaml: yaml, line: line, path: path)
    }

    @Test("fraud.anomalies: on and alarming by default; each key read; a bad action or history is an error with its path")
    func anomalies() throws {
        let defaults = try TollgateConfig(yaml: ConfigTestSupport.minimal)
        #expect(defaults.fraud.anomalies.enabled && defaults.fraud.anomalies.action == .alarm && defaults.fraud.anomalies.historyDays == 60)
        let set = try TollgateConfig(yaml: ConfigTestSupport.minimal + "\nfraud: { anomalies: { enabled: true, action: block, history_days: 90 } }")
        #expect(set.fraud.anomalies.action == .block && set.fraud.anomalies.historyDays == 90)
        for (yaml, path) in [("fraud: { anomalies: { action: hold } }", "fraud.anomalies.action"),
                             ("fraud: { anomalies: { history_days: 0 } }", "fraud.anomalies.history_days"),
                             ("fraud: { anomalies: { window: 3 } }", "fraud.anomalies.window")] {
            let errors = ConfigTestSupport.errors(ConfigTestSupport.minimal + "\n" + yaml)
            #expect(errors.contains { $0.path == path }, "\(yaml): \(errors)")
        }
    }
}
