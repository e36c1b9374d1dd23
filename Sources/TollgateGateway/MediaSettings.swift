import NIOCore
import SIPTransport
import TollgateConfig
import TollgateMedia

/// The media relay's settings as the configuration and the listeners give them: each side's
/// address (its SIP listener's unless `media.<side>.address` says otherwise), SRTP policy and suites.
struct MediaSettings: Sendable {
    var relay: MediaRelay.Configuration
    var inside: MediaSideSettings
    var outside: MediaSideSettings
    /// The outside's settings with the trunks that have an SRTP policy of their own.
    var trunkOutside: [String: MediaSideSettings] = [:]
    /// Whether a call with no media either way for the timeout is ended with BYEs.
    var hangUpOnTimeout = true

    /// Why media cannot be anchored as configured.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func resolve(_ config: MediaConfig, trunks: [TrunkConfig] = [], listeners: [(spec: SIPListenerSpec, zone: GatewayZone)]) throws -> MediaSettings {
        let external = listeners.first { $0.zone == .external }?.spec.advertisedHost
        let internalHost = listeners.first { $0.zone == .internal }?.spec.advertisedHost ?? external
        func side(_ name: String, _ side: MediaSideConfig, listener: String?) throws -> MediaSideSettings {
            guard let address = side.address ?? listener else {
                throw Problem(description: "media.\(name).address is needed: no SIP listener faces the \(name)")
            }
            guard let parsed = try? SocketAddress(ipAddress: address, port: 0) else {
                throw Problem(description: "media.\(name).address must be an IP address, found \"\(address)\"")
            }
            if parsed.ipAddress == "0.0.0.0" || parsed.ipAddress == "::" {
                throw Problem(description: "media.\(name).address is needed: the listener binds \(address), which cannot be written in SDP")
            }
            let policy = SRTPPolicy(rawValue: side.srtp.rawValue) ?? .off
            return MediaSideSettings(address: address, srtp: policy, suites: side.suites.compactMap(SRTPProtectionProfile.init(sdesName:)))
        }
        // The outside first: the inside falls back to its listener, and a problem there is the outside's.
        let outside = try side("outside", config.outside, listener: external)
        let inside = try side("inside", config.inside, listener: internalHost)
        var trunkOutside: [String: MediaSideSettings] = [:]
        for trunk in trunks where trunk.srtp != nil || trunk.srtpSuites != nil {
            var own = outside
            if let srtp = trunk.srtp { own.srtp = SRTPPolicy(rawValue: srtp.rawValue) ?? .off }
            if let suites = trunk.srtpSuites { own.suites = suites.compactMap(SRTPProtectionProfile.init(sdesName:)) }
            trunkOutside[trunk.name] = own
        }
        return MediaSettings(
            relay: MediaRelay.Configuration(ports: config.ports, strictSource: config.strictSource,
                                            timeout: .milliseconds(Int64(config.timeout * 1000)),
                                            holdTimeout: .milliseconds(Int64(config.holdTimeout * 1000))),
            inside: inside, outside: outside, trunkOutside: trunkOutside, hangUpOnTimeout: config.timeoutAction == .hangup)
    }
}
