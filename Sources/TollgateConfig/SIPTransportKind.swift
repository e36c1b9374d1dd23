/// The transport protocol a SIP endpoint or listener speaks.
public enum SIPTransportKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// SIP over UDP (RFC 3261 §18), the default; port 5060.
    case udp
    /// SIP over TCP; port 5060.
    case tcp
    /// SIP over TLS (`sips`); port 5061.
    case tls

    /// The port used when none is written: 5061 for TLS, 5060 otherwise.
    public var defaultPort: Int {
        switch self {
        case .udp, .tcp: 5060
        case .tls: 5061
        }
    }

    /// Whether the transport carries SIP over a byte stream (TCP or TLS) rather than datagrams.
    public var isStream: Bool {
        self != .udp
    }

    /// Parses a transport name case-insensitively (`udp`, `TCP`, `Tls`).
    init?(name: some StringProtocol) {
        self.init(rawValue: name.lowercased())
    }
}
