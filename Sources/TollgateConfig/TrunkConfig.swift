import TollgateModel

/// A SIP trunk: a carrier the gateway sends outbound calls to and accepts inbound calls from.
public struct TrunkConfig: Sendable, Hashable, Codable {
    /// A unique name made of SIP token characters; routes refer to the trunk by it.
    public var name: String
    /// Where calls to the trunk are sent.
    public var endpoint: Endpoint
    /// The source addresses inbound traffic from the trunk is accepted from (default deny).
    public var allowedSources: [AddressRange]
    /// Lower priorities are tried first.
    public var priority: Int = 1
    /// The relative share of calls among trunks of equal priority.
    public var weight: Int = 100
    /// Health checking.
    public var probe: TrunkProbeConfig
    /// Digest credentials toward the trunk, if it challenges or needs registration.
    public var credentials: TrunkCredentials?
    /// For a `tls` trunk: the PEM certificate chain and key Tollgate presents (mutual TLS).
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// For a `tls` trunk: the PEM CAs its certificate must chain to (default: the system's).
    public var tlsCA: String?
    /// What happens to a call from this trunk whose caller identity failed verification.
    public var identity: IdentityConfig.Policy = .continue
    /// Whether calls from this trunk must carry an Identity header (absent counts as failed: 428).
    public var identityRequired: Bool = false
    /// The SRTP policy for calls with this trunk, instead of `media.outside.srtp`.
    public var srtp: MediaSideConfig.SRTP?
    /// The suites offered to this trunk, instead of `media.outside.suites`.
    public var srtpSuites: [String]?

    /// Creates a trunk.
    ///
    /// - Parameters:
    ///   - name: A unique name made of SIP token characters.
    ///   - endpoint: Where calls to the trunk are sent.
    ///   - allowedSources: Where inbound traffic is accepted from; when `nil`, the endpoint's host
    ///     if it is an IP literal, else nothing (which ``TollgateConfig/validate()`` reports).
    ///   - priority: Lower first.
    ///   - weight: Share among equal priority.
    ///   - probe: Health checking.
    ///   - credentials: Digest credentials toward the trunk.
    public init(
        name: String,
        endpoint: Endpoint,
        allowedSources: [AddressRange]? = nil,
        priority: Int = 1,
        weight: Int = 100,
        probe: TrunkProbeConfig = TrunkProbeConfig(),
        credentials: TrunkCredentials? = nil
    ) {
        self.name = name
        self.endpoint = endpoint
        self.allowedSources = allowedSources ?? Self.defaultAllowedSources(for: endpoint)
        self.priority = priority
        self.weight = weight
        self.probe = probe
        self.credentials = credentials
    }

    /// `[endpoint.host]` as a single-address range when the host is an IP literal; otherwise empty.
    public static func defaultAllowedSources(for endpoint: Endpoint) -> [AddressRange] {
        ConfigSyntax.ipLiteral(endpoint.host).map { [AddressRange(single: $0)] } ?? []
    }

    /// Whether inbound traffic from `address` (textual IPv4 or IPv6) is allowed for this trunk.
    public func accepts(source address: String) -> Bool {
        allowedSources.contains { $0.contains(address) }
    }
}
