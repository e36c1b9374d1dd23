import SIPTransport
import Testing
import TollgateConfig
import TollgateMedia

@testable import TollgateGateway

@Suite("Media settings from the configuration and the listeners")
struct MediaSettingsTests {
    static func listener(_ host: String, zone: GatewayZone, advertised: String? = nil) -> (spec: SIPListenerSpec, zone: GatewayZone) {
        (SIPListenerSpec(id: zone == .external ? 0 : 1, transport: .udp, host: host, port: 5060, advertisedHost: advertised), zone)
    }

    @Test("each side takes its listener's advertised address; the inside falls back to the outside's; policies and suites carry over")
    func fromListeners() throws {
        let settings = try MediaSettings.resolve(MediaConfig(), listeners: [Self.listener("0.0.0.0", zone: .external, advertised: "203.0.113.5")])
        #expect(settings.outside.address == "203.0.113.5" && settings.inside.address == "203.0.113.5")
        #expect(settings.outside.srtp == .optional && settings.inside.srtp == .off)
        #expect(settings.outside.suites == [.aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32])
        #expect(settings.relay.ports == 20_000...39_999 && settings.relay.timeout == .seconds(60) && settings.relay.holdTimeout == .seconds(3_600))
        let split = try MediaSettings.resolve(MediaConfig(), listeners: [Self.listener("198.51.100.7", zone: .external),
                                                                         Self.listener("10.0.0.5", zone: .internal)])
        #expect(split.outside.address == "198.51.100.7" && split.inside.address == "10.0.0.5")
        #expect(settings.hangUpOnTimeout && settings.trunkOutside.isEmpty)
    }

    @Test("a trunk with its own SRTP policy gets the outside's settings with its policy and suites; others use the outside's")
    func trunkPolicies() throws {
        var strict = TrunkConfig(name: "strict", endpoint: Endpoint(transport: .udp, host: "192.0.2.1", port: 5060))
        strict.srtp = .required
        strict.srtpSuites = ["AEAD_AES_128_GCM"]
        let plain = TrunkConfig(name: "plain", endpoint: Endpoint(transport: .udp, host: "192.0.2.2", port: 5060))
        var config = MediaConfig()
        config.timeoutAction = .report
        let settings = try MediaSettings.resolve(config, trunks: [strict, plain], listeners: [Self.listener("198.51.100.7", zone: .external)])
        #expect(settings.trunkOutside.keys.sorted() == ["strict"])
        #expect(settings.trunkOutside["strict"]?.srtp == .required && settings.trunkOutside["strict"]?.suites == [.aeadAES128GCM])
        #expect(settings.trunkOutside["strict"]?.address == "198.51.100.7")
        #expect(!settings.hangUpOnTimeout)
    }

    @Test("an address that cannot be written in SDP is refused with the key to set", arguments: [
        ("0.0.0.0", nil as String?, "media.outside.address is needed"),
        ("::", nil, "media.outside.address is needed"),
        ("127.0.0.1", "pbx.example.com", "media.outside.address must be an IP address"),
    ])
    func refused(listen: String, address: String?, message: String) {
        var config = MediaConfig()
        config.outside.address = address
        do {
            _ = try MediaSettings.resolve(config, listeners: [Self.listener(listen, zone: .external)])
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
