import NIOCore

/// Where one listener binds and what it says about itself in Via, Record-Route and Contact.
public struct SIPListenerSpec: Sendable, Hashable {
    /// Index of the listener, used to send from the same socket later.
    public var id: Int
    public var transport: SIPTransportProtocol
    public var host: String
    public var port: Int {
        didSet { advertisedHostPort = Self.hostPort(advertisedHost, port) }
    }
    /// The address written into headers (differs from `host` behind NAT or on a wildcard bind).
    public var advertisedHost: String {
        didSet { advertisedHostPort = Self.hostPort(advertisedHost, port) }
    }
    /// `host:port` for headers, with IPv6 in brackets.
    public private(set) var advertisedHostPort: String
    /// Certificate and key for a TLS listener.
    public var tls: SIPTLSSettings?

    public init(id: Int, transport: SIPTransportProtocol, host: String, port: Int, advertisedHost: String? = nil, tls: SIPTLSSettings? = nil) {
        self.id = id
        self.transport = transport
        self.host = host
        self.port = port
        self.advertisedHost = advertisedHost ?? host
        self.tls = tls
        self.advertisedHostPort = Self.hostPort(advertisedHost ?? host, port)
    }

    private static func hostPort(_ host: String, _ port: Int) -> String {
        host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// What a transport delivers to the layer above: one framed message and where it came from.
public struct SIPInboundPacket: Sendable {
    /// The message's bytes (a datagram, or one frame cut from a stream).
    public var bytes: [UInt8]
    public var source: SIPPeer
    /// The listener that received it.
    public var listener: Int

    public init(bytes: [UInt8], source: SIPPeer, listener: Int) {
        self.bytes = bytes
        self.source = source
        self.listener = listener
    }
}

/// TLS settings of a listener: TLS 1.2 or later only, the server's certificate chain and key (PEM
/// files), an optional OpenSSL cipher list, and optionally client certificates required from peers.
public struct SIPTLSSettings: Sendable, Hashable {
    public var certificatePath: String
    public var keyPath: String
    /// OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are fixed by the library); `nil` for the library's defaults.
    public var cipherSuites: String?
    /// PEM file of the CAs whose client certificates are accepted; when set, clients must present one.
    public var clientCATrustRootsPath: String?

    public init(certificatePath: String, keyPath: String, cipherSuites: String? = nil, clientCATrustRootsPath: String? = nil) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.cipherSuites = cipherSuites
        self.clientCATrustRootsPath = clientCATrustRootsPath
    }
}
