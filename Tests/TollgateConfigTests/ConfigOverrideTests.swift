import Testing

@testable import TollgateConfig

@Suite("Command-line overrides")
struct ConfigOverrideTests {
    typealias Support = ConfigTestSupport

    let pbx = Endpoint(transport: .udp, host: "10.0.0.20", port: 5060)
    let wan = Endpoint(transport: .udp, host: "203.0.113.1", port: 5060)
    let carrier = Endpoint(transport: .udp, host: "198.51.100.7", port: 5060)
    let backup = Endpoint(transport: .tcp, host: "2001:db8::7", port: 5060)

    @Test("quick start: pbx, listen and trunk on an empty configuration give a valid gateway")
    func quickStart() throws {
        var config = TollgateConfig()
        config.applyOverrides(pbx: pbx, listen: [wan], trunks: [carrier, backup], remotePhones: false, console: nil)
        try config.validate()

        #expect(config.pbx == PBXConfig(endpoint: pbx, name: "pbx"))
        #expect(config.listeners == [ListenerConfig(zone: .external, endpoint: wan)])
        #expect(config.listeners(serving: .external) == config.listeners)
        #expect(config.listeners(serving: .internal) == config.listeners)
        #expect(config.trunks.map(\.name) == ["trunk1", "trunk2"])
        #expect(config.trunks.map(\.endpoint) == [carrier, backup])
        #expect(config.trunks[0].allowedSources.map(\.description) == ["198.51.100.7/32"])
        #expect(config.trunks[1].allowedSources.map(\.description) == ["2001:db8::7/128"])
        #expect(config.routes == [RouteRule(name: "default", prefix: "", trunks: ["trunk1", "trunk2"])])
        #expect(config.route(for: "+441234")?.trunks.map(\.name) == ["trunk1", "trunk2"])
        #expect(config.remotePhones == false)
        #expect(config.console == nil)
    }

    @Test("an empty configuration without flags does not validate")
    func emptyDoesNotValidate() {
        var config = TollgateConfig()
        config.applyOverrides(pbx: nil, listen: [], trunks: [], remotePhones: false, console: nil)
        #expect(config == TollgateConfig())
        #expect {
            try config.validate()
        } throws: { error in
            (error as? ConfigErrors)?.errors.map { $0.path ?? "" } == ["listeners", "pbx"]
        }
    }

    @Test("a trunk given by host name needs allowed sources, which validation reports")
    func trunkByName() {
        var config = TollgateConfig()
        let named = Endpoint(transport: .udp, host: "sip.carrier.example", port: 5060)
        config.applyOverrides(pbx: pbx, listen: [wan], trunks: [named], remotePhones: false, console: nil)
        #expect(config.trunks[0].allowedSources.isEmpty)
        #expect {
            try config.validate()
        } throws: { error in
            (error as? ConfigErrors)?.errors.map { $0.path ?? "" } == ["trunks[0].allowed_sources"]
        }
    }

    @Test("flags on top of the file: listen replaces the external listeners, internal ones stay without --pbx")
    func listenKeepsInternalWithoutPBX() throws {
        var config = try TollgateConfig(
            yaml: """
                listeners:
                  - listen: udp:127.0.0.1:5070
                  - listen: udp:10.0.0.1:5060
                    zone: internal
                  - listen: udp:10.9.0.1:5060
                    zone: admin
                pbx: udp:10.0.0.20:5060
                """)
        config.applyOverrides(pbx: nil, listen: [wan], trunks: [], remotePhones: true, console: nil)
        try config.validate()
        #expect(config.listeners.map(\.endpoint.host) == ["203.0.113.1", "10.0.0.1", "10.9.0.1"])
        #expect(config.listeners(serving: .internal).map(\.endpoint.host) == ["10.0.0.1"])
        #expect(config.remotePhones)
    }

    @Test("with --pbx and --listen the same listeners serve both sides")
    func listenWithPBXServesBothSides() throws {
        var config = try TollgateConfig(
            yaml: """
                listeners:
                  - listen: udp:127.0.0.1:5070
                  - listen: udp:10.0.0.1:5060
                    zone: internal
                pbx: udp:10.0.0.20:5060
                """)
        config.applyOverrides(pbx: pbx, listen: [wan], trunks: [], remotePhones: false, console: nil)
        try config.validate()
        #expect(config.listeners == [ListenerConfig(endpoint: wan)])
        #expect(config.listeners(serving: .internal) == [ListenerConfig(endpoint: wan)])
    }

    @Test("--trunk on the example file replaces its trunks and rewires routes that lost theirs")
    func trunksReplaceAndRewire() throws {
        var config = try TollgateConfig.load(path: ExampleConfigTests.examplePath)
        config.fallback = FallbackConfig(target: "+447700900123", trunks: ["carrier"])
        config.applyOverrides(pbx: nil, listen: [], trunks: [carrier], remotePhones: false, console: nil)
        try config.validate()
        #expect(config.trunks.map(\.name) == ["trunk1"])
        #expect(config.routes == [RouteRule(name: "default", prefix: "", trunks: ["trunk1"])])
        #expect(config.fallback?.trunks == ["trunk1"])
    }

    @Test("routes that still name existing trunks are kept")
    func routesKept() throws {
        var config = try TollgateConfig(
            yaml: """
                listeners:
                  - listen: udp:127.0.0.1:5070
                pbx: udp:127.0.0.20:5080
                trunks:
                  - name: trunk1
                    endpoint: udp:127.0.0.10:5090
                  - name: old
                    endpoint: udp:127.0.0.11:5090
                routes:
                  - prefix: "00"
                    trunks: [old, trunk1]
                """)
        config.applyOverrides(pbx: nil, listen: [], trunks: [carrier], remotePhones: false, console: nil)
        try config.validate()
        #expect(config.routes == [RouteRule(prefix: "00", trunks: ["trunk1"])])
    }

    @Test("--console sets the console and --remote-phones false keeps the file's value")
    func consoleAndRemotePhones() throws {
        var config = try TollgateConfig(yaml: Support.minimal + "\nremote_phones: true\n")
        let console = try Endpoint(parsing: "127.0.0.1:8080", defaultTransport: .tcp)
        config.applyOverrides(pbx: nil, listen: [], trunks: [], remotePhones: false, console: console)
        try config.validate()
        #expect(config.console?.listen == console)
        #expect(config.remotePhones)
    }

    @Test("overrides that break a rule are caught by validate()")
    func overridesValidated() throws {
        var config = try TollgateConfig(yaml: Support.minimal)
        let clash = Endpoint(transport: .udp, host: "127.0.0.1", port: 5070)
        config.applyOverrides(pbx: nil, listen: [clash, clash], trunks: [], remotePhones: false, console: nil)
        #expect {
            try config.validate()
        } throws: { error in
            (error as? ConfigErrors)?.errors.map { $0.path ?? "" } == ["listeners[1]"]
        }
    }
}
