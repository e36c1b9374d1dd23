import Foundation
import Testing

@testable import TollgateConfig

@Suite("The shipped tollgate.yaml")
struct ExampleConfigTests {
    /// `/work/main/tollgate.yaml`, found from this file's location.
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TollgateConfigTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("tollgate.yaml")
        .path

    @Test("the example file loads and validates")
    func exampleLoads() throws {
        let config = try TollgateConfig.load(path: Self.examplePath)
        try config.validate()
    }

    @Test("the example file has the documented shape: listeners, PBX, carrier trunk, routes, defaults")
    func exampleShape() throws {
        let config = try TollgateConfig.load(path: Self.examplePath)

        #expect(config.listeners.count == 2)
        #expect(config.listeners.map(\.zone) == [.external, .external])
        #expect(
            config.listeners.map(\.endpoint) == [
                Endpoint(transport: .udp, host: "127.0.0.1", port: 5070),
                Endpoint(transport: .tcp, host: "127.0.0.1", port: 5070),
            ])
        #expect(config.pbx == PBXConfig(endpoint: Endpoint(transport: .udp, host: "127.0.0.20", port: 5080)))

        #expect(config.trunks.count == 1)
        let carrier = try #require(config.trunks.first)
        #expect(carrier.name == "carrier")
        #expect(carrier.endpoint.description == "udp:127.0.0.10:5090")
        #expect(carrier.allowedSources.map(\.description) == ["127.0.0.10/32"])
        #expect(carrier.probe == TrunkProbeConfig())
        #expect(carrier.credentials == nil)

        #expect(config.routes.map(\.prefix) == ["", "00"])
        #expect(config.routes.allSatisfy { $0.trunks == ["carrier"] })
        #expect(config.fallback == nil)
        #expect(config.remotePhones == false)
        #expect(config.topologyHiding == TopologyHidingConfig())
        #expect(config.limits == LimitsConfig())
        #expect(config.console == nil)
        #expect(config.logging == LoggingConfig())
        #expect(config.store == StoreConfig(path: "tollgate.db"))
    }

    @Test("the example file's routes send international and other numbers to the carrier")
    func exampleRoutes() throws {
        let config = try TollgateConfig.load(path: Self.examplePath)
        #expect(config.route(for: "0044 20 7946 0000")?.rule.name == "international")
        #expect(config.route(for: "02079460000")?.rule.name == "default")
        #expect(config.route(for: "02079460000")?.trunks.map(\.name) == ["carrier"])
    }

    @Test("the example file accepts the carrier only from its address")
    func exampleAllowList() throws {
        let config = try TollgateConfig.load(path: Self.examplePath)
        #expect(config.trunk(acceptingSource: "127.0.0.10")?.name == "carrier")
        #expect(config.trunk(acceptingSource: "127.0.0.11") == nil)
        #expect(config.trunk(acceptingSource: "::ffff:127.0.0.10")?.name == "carrier")
    }

    @Test("loading a missing file reports the file, not a crash")
    func missingFile() {
        #expect {
            _ = try TollgateConfig.load(path: "/nonexistent/tollgate.yaml")
        } throws: { error in
            guard let errors = error as? ConfigErrors else { return false }
            return errors.source == "/nonexistent/tollgate.yaml" && errors.errors.count == 1
                && errors.description.hasPrefix("/nonexistent/tollgate.yaml: cannot read the file")
        }
    }
}
