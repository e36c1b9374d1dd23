import SIPCore
import SIPTransport

/// The gateway's own addresses as its listeners advertise them, worked out once: recognising a
/// Route or Record-Route value as Tollgate's, and the Record-Route value of each listener, happen
/// for nearly every message.
struct ListenerAddresses: Sendable {
    private struct HostPort: Hashable {
        var host: String
        var port: Int
    }

    private let own: Set<HostPort>
    private let external: Set<HostPort>
    /// Each listener's Record-Route value, by listener id.
    let recordRoutes: [Int: String]

    init(_ listeners: [(spec: SIPListenerSpec, zone: GatewayZone)]) {
        var own: Set<HostPort> = []
        var external: Set<HostPort> = []
        var recordRoutes: [Int: String] = [:]
        for (spec, zone) in listeners {
            let address = HostPort(host: spec.advertisedHost.lowercased(), port: spec.port)
            own.insert(address)
            if zone == .external { external.insert(address) }
            recordRoutes[spec.id] = Self.recordRoute(for: spec)
        }
        self.own = own
        self.external = external
        self.recordRoutes = recordRoutes
    }

    /// Whether the URI names one of the listeners (port 5060 when it names none).
    func isOwn(_ uri: SIPURI) -> Bool {
        own.contains(HostPort(host: uri.hostAddress, port: Int(uri.port ?? 5060)))
    }

    /// Whether the URI names one of the external listeners.
    func isExternal(_ uri: SIPURI) -> Bool {
        external.contains(HostPort(host: uri.hostAddress, port: Int(uri.port ?? 5060)))
    }

    /// A loose-routing Record-Route value for the listener.
    static func recordRoute(for listener: SIPListenerSpec) -> String {
        let transport = listener.transport == .udp ? "" : ";transport=\(listener.transport.rawValue)"
        return "<sip:\(listener.advertisedHostPort)\(transport);lr>"
    }
}
