import NIOCore

/// The transport protocols SIP runs over (RFC 3261 §18).
public enum SIPTransportProtocol: String, Sendable, Hashable, CaseIterable {
    case udp, tcp, tls

    /// The token written in a Via header (`SIP/2.0/UDP`).
    public var viaToken: String {
        switch self {
        case .udp: "UDP"
        case .tcp: "TCP"
        case .tls: "TLS"
        }
    }

    /// Whether the transport is a byte stream (framed by Content-Length).
    public var isStream: Bool { self != .udp }
}

/// The other end of a SIP hop: a transport and a socket address.
public struct SIPPeer: Sendable, Hashable, CustomStringConvertible {
    public var transport: SIPTransportProtocol
    public var address: SocketAddress {
        didSet { ipAddress = address.ipAddress ?? "?" }
    }
    /// The IP address as text (no port, IPv6 without brackets), formatted once: the message path
    /// compares it several times per message.
    public private(set) var ipAddress: String

    public init(transport: SIPTransportProtocol, address: SocketAddress) {
        self.transport = transport
        self.address = address
        self.ipAddress = address.ipAddress ?? "?"
    }

    /// The port, or 0 for a socket without one.
    public var port: Int { address.port ?? 0 }

    public static func == (lhs: SIPPeer, rhs: SIPPeer) -> Bool {
        lhs.transport == rhs.transport && lhs.address == rhs.address
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(transport)
        hasher.combine(address)
    }

    public var description: String {
        if case .v6 = address { return "\(transport.rawValue):[\(ipAddress)]:\(port)" }
        return "\(transport.rawValue):\(ipAddress):\(port)"
    }
}
