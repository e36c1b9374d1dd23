import Testing

@testable import TollgateConfig

@Suite("Small helpers the gateway uses: header stripping, names, suggestions, error text")
struct ConfigHelpersTests {
    @Test("strip_headers patterns match case-insensitively, '*' only as a trailing wildcard")
    func shouldStrip() {
        let hiding = TopologyHidingConfig()
        #expect(hiding.shouldStrip(headerNamed: "X-Asterisk-HangupCause"))
        #expect(hiding.shouldStrip(headerNamed: "x-fs-support"))
        #expect(hiding.shouldStrip(headerNamed: "P-Asserted-Identity"))
        #expect(!hiding.shouldStrip(headerNamed: "P-Asserted-Identity-Extra"))
        #expect(!hiding.shouldStrip(headerNamed: "Via"))
        #expect(!TopologyHidingConfig(enabled: false).shouldStrip(headerNamed: "X-FS-Support"))
    }

    @Test("a listener without a name is called <zone>-<transport>-<port> and advertises its own address")
    func listenerDefaults() {
        let listener = ListenerConfig(
            zone: .internal, endpoint: Endpoint(transport: .tcp, host: "10.0.0.1", port: 5062))
        #expect(listener.effectiveName == "internal-tcp-5062")
        #expect(listener.effectiveAdvertisedAddress == "10.0.0.1")
        let named = ListenerConfig(name: "wan", endpoint: listener.endpoint, advertisedAddress: "203.0.113.9")
        #expect(named.effectiveName == "wan")
        #expect(named.effectiveAdvertisedAddress == "203.0.113.9")
    }

    @Test("a trunk's default allowed sources are its host when that is an IP literal")
    func trunkDefaultSources() {
        let v6 = TrunkConfig(name: "a", endpoint: Endpoint(transport: .udp, host: "2001:db8::9", port: 5060))
        #expect(v6.allowedSources.map(\.description) == ["2001:db8::9/128"])
        #expect(v6.accepts(source: "[2001:db8::9]"))
        #expect(!v6.accepts(source: "2001:db8::8"))
        let named = TrunkConfig(name: "b", endpoint: Endpoint(transport: .udp, host: "sip.example.com", port: 5060))
        #expect(named.allowedSources.isEmpty)
    }

    @Test("suggestions catch case, separators, abbreviations and small typos, not unrelated words")
    func suggestions() {
        let keys = ["remote_phones", "topology_hiding", "listeners", "trunks"]
        #expect(Suggestion.closest(to: "remotePhones", in: keys) == "remote_phones")
        #expect(Suggestion.closest(to: "topology-hiding", in: keys) == "topology_hiding")
        #expect(Suggestion.closest(to: "listners", in: keys) == "listeners")
        #expect(Suggestion.closest(to: "trunk", in: keys) == "trunks")
        #expect(Suggestion.closest(to: "warn", in: LoggingConfig.levels) == "warning")
        #expect(Suggestion.closest(to: "database", in: keys) == nil)
    }

    @Test("an error's description is source:line:column: path: message, leaving out what is unknown")
    func errorDescription() {
        #expect(
            ConfigError("must be 1-65535", path: "trunks[1].port", line: 12, column: 5, source: "tollgate.yaml")
                .description
                == "tollgate.yaml:12:5: trunks[1].port: must be 1-65535")
        #expect(ConfigError("no listeners", path: "listeners").description == "listeners: no listeners")
        #expect(ConfigError("bad", line: 3).description == "3: bad")
        let errors = ConfigErrors(source: "a.yaml", errors: [ConfigError("x", path: "p", line: 2), ConfigError("y")])
        #expect(errors.description == "a.yaml:2: p: x\na.yaml: y")
    }

    @Test("errors are sorted by position, unpositioned ones last in their original order")
    func errorOrdering() {
        var errors = ConfigErrors(
            source: "s",
            errors: [
                ConfigError("c"), ConfigError("b", line: 5, column: 2), ConfigError("a", line: 5, column: 1),
                ConfigError("d"), ConfigError("e", line: 1),
            ])
        errors.sortByPosition()
        #expect(errors.errors.map(\.message) == ["e", "a", "b", "c", "d"])
    }
}
