/// One socket the gateway listens on, and the zone it faces.
///
/// In YAML a listener is written with `transport`, `address` and `port` keys, or with one
/// `listen: udp:127.0.0.1:5060` key.
public struct ListenerConfig: Sendable, Hashable, Codable {
    /// A name for logs and metrics; when `nil`, ``effectiveName`` is `<zone>-<transport>-<port>`.
    public var name: String?
    /// The zone the listener faces; `external` unless given.
    public var zone: Zone
    /// The transport, local address (an IP literal, possibly `0.0.0.0` or `::`) and port to bind.
    public var endpoint: Endpoint
    /// Path of the PEM certificate chain; required for `tls` listeners.
    public var tlsCertificate: String?
    /// Path of the PEM private key; required for `tls` listeners.
    public var tlsKey: String?
    /// OpenSSL cipher list for TLS 1.2 (`tls_ciphers`); the library's defaults when `nil`.
    public var tlsCiphers: String?
    /// PEM file of the CAs whose client certificates this TLS listener requires (`tls_client_ca`);
    /// when set, a peer without such a certificate cannot connect (trunks with mutual TLS).
    public var tlsClientCA: String?
    /// The address written into Via, Record-Route and Contact (for NAT); when `nil`,
    /// ``effectiveAdvertisedAddress`` is the endpoint's host.
    public var advertisedAddress: String?

    /// Creates a listener.
    ///
    /// - Parameters:
    ///   - name: A name for logs and metrics; defaults to `<zone>-<transport>-<port>`.
    ///   - zone: The zone the listener faces.
    ///   - endpoint: The transport, local address and port to bind.
    ///   - tlsCertificate: Path of the PEM certificate chain (TLS only).
    ///   - tlsKey: Path of the PEM private key (TLS only).
    ///   - tlsCiphers: OpenSSL cipher list for TLS 1.2 (TLS only).
    ///   - tlsClientCA: PEM file of the CAs client certificates must chain to (TLS only).
    ///   - advertisedAddress: The address to advertise in SIP headers, if not the bound one.
    public init(
        name: String? = nil,
        zone: Zone = .external,
        endpoint: Endpoint,
        tlsCertificate: String? = nil,
        tlsKey: String? = nil,
        tlsCiphers: String? = nil,
        tlsClientCA: String? = nil,
        advertisedAddress: String? = nil
    ) {
        self.name = name
        self.zone = zone
        self.endpoint = endpoint
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        self.tlsCiphers = tlsCiphers
        self.tlsClientCA = tlsClientCA
        self.advertisedAddress = advertisedAddress
    }

    /// ``name``, or `<zone>-<transport>-<port>` (e.g. `external-udp-5060`) when none was given.
    public var effectiveName: String {
        name ?? "\(zone.rawValue)-\(endpoint.transport.rawValue)-\(endpoint.port)"
    }

    /// ``advertisedAddress``, or the endpoint's host when none was given.
    public var effectiveAdvertisedAddress: String {
        advertisedAddress ?? endpoint.host
    }
}
