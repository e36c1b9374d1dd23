import NIOCore
import SIPCore
import SIPTransport
import TollgateConfig
import TollgateModel

/// What the proxy core needs to know, resolved from ``TollgateConfig``: peers as socket
/// addresses, listeners with their zones, trunks with their source ranges.
public struct ProxySettings: Sendable {
    /// A trunk as the proxy routes to it.
    public struct Trunk: Sendable {
        public var name: String
        public var peer: SIPPeer
        public var allowedSources: [AddressRange]
        public var priority: Int
        public var probe: TrunkProbeConfig
        public var uriHost: String
        public var uriPort: Int
        /// Digest credentials toward the trunk: for answering its challenges and for registering.
        public var credentials: TrunkCredentials?
    }

    public var config: TollgateConfig
    public var pbx: SIPPeer
    public var trunks: [Trunk]
    /// Listener specs and the zone each belongs to.
    public var listeners: [(spec: SIPListenerSpec, zone: GatewayZone)]
    /// What messages from the outside must pass: every proxy rule, the SDP, and the screening for
    /// attack payloads.
    public var validation = SIPValidationOptions.proxy
    /// What messages from the PBX must pass: the same syntax and proxy rules, without re-parsing SDP
    /// or screening for attack payloads (the PBX is the trusted side; its SDP is checked where it matters,
    /// by the media anchor).
    public var internalValidation = SIPValidationOptions(checksSDP: false, screensHostileContent: false)
    /// How long an INVITE may go without any response before the next target is tried, when there
    /// is one (Kamailio's fr_timer); without another target, timer B (64·T1) applies.
    public var failoverTimeout: TimeAmount = .seconds(3)
    /// How long a finished transaction is kept to absorb retransmissions (RFC 3261's timers D, J and
    /// RFC 6026's L, 64·T1 = 32 s on UDP). Like Kamailio's wait timer, the gateway keeps them for less:
    /// retransmissions come at 0.5, 1.5, 3.5 and 7.5 s, and every kept transaction costs memory at
    /// thousands of calls a second. Timers B, F and H (giving up) stay at 64·T1.
    public var transactionLinger: TimeAmount = .seconds(8)
    /// How long an early dialog may live without an answer, and a confirmed one without a BYE.
    public var earlyDialogLifetime: TimeAmount = .seconds(300)
    public var confirmedDialogLifetime: TimeAmount = .hours(12)

    public init(config: TollgateConfig, pbx: SIPPeer, trunks: [Trunk], listeners: [(spec: SIPListenerSpec, zone: GatewayZone)]) {
        self.config = config
        self.pbx = pbx
        self.trunks = trunks
        self.listeners = listeners
    }

    /// Resolves a configuration: host names are looked up once, here.
    public static func resolve(_ config: TollgateConfig) throws -> ProxySettings {
        func peer(_ endpoint: Endpoint) throws -> SIPPeer {
            let transport = SIPTransportProtocol(rawValue: endpoint.transport.rawValue) ?? .udp
            return SIPPeer(transport: transport, address: try SocketAddress.makeAddressResolvingHost(endpoint.host, port: endpoint.port))
        }
        let trunks = try config.trunks.map { trunk in
            Trunk(name: trunk.name, peer: try peer(trunk.endpoint), allowedSources: trunk.allowedSources, priority: trunk.priority,
                  probe: trunk.probe, uriHost: trunk.endpoint.host, uriPort: trunk.endpoint.port,
                  credentials: trunk.credentials)
        }
        var listeners: [(spec: SIPListenerSpec, zone: GatewayZone)] = []
        for (index, listener) in config.listeners.enumerated() {
            let transport = SIPTransportProtocol(rawValue: listener.endpoint.transport.rawValue) ?? .udp
            var tls: SIPTLSSettings?
            if transport == .tls, let certificate = listener.tlsCertificate, let key = listener.tlsKey {
                tls = SIPTLSSettings(certificatePath: certificate, keyPath: key, cipherSuites: listener.tlsCiphers,
                                     clientCATrustRootsPath: listener.tlsClientCA)
            }
            let spec = SIPListenerSpec(id: index, transport: transport, host: listener.endpoint.host, port: listener.endpoint.port,
                                       advertisedHost: listener.advertisedAddress, tls: tls)
            listeners.append((spec, listener.zone == .internal ? .internal : .external))
        }
        return ProxySettings(config: config, pbx: try peer(config.pbx.endpoint), trunks: trunks, listeners: listeners)
    }
}

