import Foundation
import Testing

@testable import TollgateConfig

@Suite("config show --json")
struct ConfigJSONTests {
    static let secret = "s3cr3t-Pa55w0rd"

    static let yaml = """
        listeners:
          - listen: udp:127.0.0.1:5070
        pbx: udp:127.0.0.20:5080
        trunks:
          - name: carrier
            endpoint: udp:127.0.0.10:5090
            credentials:
              username: alice
              password: \(secret)
              register: true
          - name: other
            endpoint: udp:127.0.0.11:5090
            credentials: { username: bob, password: "\(secret)2", realm: example }
        routes:
          - prefix: ""
            trunks: [carrier, other]
        """

    func json(_ config: TollgateConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }

    @Test("the JSON of a configuration never contains a trunk password")
    func noPasswords() throws {
        let config = try TollgateConfig(yaml: Self.yaml)
        #expect(config.trunks[0].credentials?.password == Self.secret)
        let text = try json(config)
        #expect(!text.contains(Self.secret))
        #expect(text.contains("\"password\" : \"********\""))
        #expect(text.contains("\"username\" : \"alice\""))
    }

    @Test("printing credentials never shows the password")
    func noPasswordInDescriptions() throws {
        let config = try TollgateConfig(yaml: Self.yaml)
        let credentials = try #require(config.trunks[0].credentials)
        #expect(!String(describing: credentials).contains(Self.secret))
        #expect(!String(reflecting: credentials).contains(Self.secret))
    }

    @Test("the JSON has endpoints, ranges and every section, and decodes back")
    func jsonShape() throws {
        let config = try TollgateConfig(yaml: Self.yaml)
        let data = try JSONEncoder().encode(config)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "listeners", "pbx", "trunks", "routes", "remotePhones", "remotePhonesPath", "topologyHiding", "limits", "performance", "logging", "store", "shield", "alerts", "fraud", "media", "identity", "cluster",
            ])
        let trunks = try #require(object["trunks"] as? [[String: Any]])
        #expect(trunks[0]["allowedSources"] as? [String] == ["127.0.0.10/32"])
        let endpoint = try #require(trunks[0]["endpoint"] as? [String: Any])
        #expect(endpoint["transport"] as? String == "udp")
        #expect(endpoint["host"] as? String == "127.0.0.10")
        #expect(endpoint["port"] as? Int == 5090)

        var decoded = try JSONDecoder().decode(TollgateConfig.self, from: data)
        #expect(decoded.trunks[0].credentials?.password == TrunkCredentials.redactedPassword)
        decoded.trunks[0].credentials?.password = Self.secret
        decoded.trunks[1].credentials?.password = Self.secret + "2"
        #expect(decoded == config)
    }
}
