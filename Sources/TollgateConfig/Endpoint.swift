import TollgateModel

/// A SIP transport address: transport, host and port, written `udp:127.0.0.1:5060`,
/// `tcp:[::1]:5061` or `tls:pbx.example.com:5061`.
///
/// `host` is an IPv4 address, an IPv6 address without brackets, or a host name. The memberwise
/// initialiser does not check its arguments; ``TollgateConfig/validate()`` does.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// The transport protocol.
    public var transport: SIPTransportKind
    /// An IPv4 address, an IPv6 address without brackets, or a host name.
    public var host: String
    /// The port, 1...65535.
    public var port: Int

    /// Creates an endpoint from its parts, unchecked.
    ///
    /// - Parameters:
    ///   - transport: The transport protocol.
    ///   - host: An IPv4 address, an IPv6 address without brackets, or a host name.
    ///   - port: The port, 1...65535.
    public init(transport: SIPTransportKind, host: String, port: Int) {
        self.transport = transport
        self.host = host
        self.port = port
    }

    /// Parses `T:HOST:PORT`, where `T` is `udp`, `tcp` or `tls` (any case) and an IPv6 `HOST` is in
    /// brackets; the port may be left out and defaults to 5060 (5061 for `tls`).
    ///
    /// - Throws: ``ConfigError`` naming what is wrong with the text (no path or position).
    public init(parsing text: String) throws(ConfigError) {
        self = try Self.parse(text, defaultTransport: nil).endpoint
    }

    /// Parses `T:HOST:PORT` like ``init(parsing:)``, but also accepts `HOST:PORT` and `HOST`
    /// without a transport, using `defaultTransport` (for `--console 127.0.0.1:8080`).
    ///
    /// - Throws: ``ConfigError`` naming what is wrong with the text (no path or position).
    public init(parsing text: String, defaultTransport: SIPTransportKind) throws(ConfigError) {
        self = try Self.parse(text, defaultTransport: defaultTransport).endpoint
    }

    /// `udp:127.0.0.1:5060`; IPv6 hosts are written in brackets, `udp:[::1]:5060`.
    public var description: String {
        "\(transport.rawValue):\(hostForURI):\(port)"
    }

    /// The host as it is written in a URI or `host:port` pair: IPv6 addresses in brackets.
    public var hostForURI: String {
        host.contains(":") ? "[\(host)]" : host
    }

    /// Whether the host is an IPv4 or IPv6 literal rather than a name.
    public var hostIsIPAddress: Bool {
        IPAddress(parsing: host) != nil
    }

    /// Whether the port is in 1...65535.
    var hasValidPort: Bool {
        (1...65535).contains(port)
    }

    /// Why the host is not usable, or `nil` if it is an IP literal or a well-formed host name.
    var hostProblem: String? {
        if host.isEmpty { return "an address is required" }
        if IPAddress(parsing: host) != nil || ConfigSyntax.isHostName(host) { return nil }
        return "\(ConfigSyntax.quoted(host)) is not an IP address or host name"
    }

    /// Parses endpoint text; also reports whether a port was written.
    static func parse(
        _ original: String,
        defaultTransport: SIPTransportKind?
    ) throws(ConfigError) -> (endpoint: Endpoint, portGiven: Bool) {
        let text = original.trimmingASCIIWhitespace()
        let quoted = ConfigSyntax.quoted(text)
        let form = defaultTransport == nil ? "T:HOST[:PORT]" : "[T:]HOST[:PORT]"
        guard !text.isEmpty else {
            throw ConfigError("empty endpoint; expected \(form), e.g. udp:192.0.2.1:5060")
        }
        guard !text.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw ConfigError("\(quoted) contains white space")
        }

        var rest = Substring(text)
        var transport: SIPTransportKind
        if let colon = text.firstIndex(of: ":"), let kind = SIPTransportKind(name: text[..<colon]) {
            transport = kind
            rest = text[text.index(after: colon)...]
        } else if let defaultTransport {
            transport = defaultTransport
        } else {
            let name = text.firstIndex(of: ":").map { String(text[..<$0]) } ?? text
            let hint = Suggestion.hint(for: name, in: SIPTransportKind.allCases.map(\.rawValue))
            throw ConfigError(
                "\(quoted) does not start with a transport\(hint); expected \(form) with T = udp, tcp or tls, e.g. udp:192.0.2.1:5060"
            )
        }

        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw ConfigError("\(quoted) has '[' without a closing ']'")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            guard IPAddress.parseIPv6(host) != nil else {
                throw ConfigError("\(quoted): \(ConfigSyntax.quoted(host)) in brackets is not an IPv6 address")
            }
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw ConfigError("\(quoted): expected ':PORT' after ']'")
                }
                portText = after.dropFirst()
            }
        } else {
            let colons = rest.count(where: { $0 == ":" })
            if colons > 1 {
                throw ConfigError(
                    "\(quoted): an IPv6 address must be written in brackets\(bracketedSuggestion(rest, transport))")
            }
            if let colon = rest.firstIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
            }
            guard !host.isEmpty else {
                throw ConfigError("\(quoted) has no host")
            }
            guard IPAddress.parseIPv4(host) != nil || ConfigSyntax.isHostName(host) else {
                let subject = host == Substring(text) ? quoted : "\(quoted): \(ConfigSyntax.quoted(host))"
                throw ConfigError("\(subject) is not an IP address or host name")
            }
        }

        var port = transport.defaultPort
        if let portText {
            guard let value = parsePort(portText) else {
                throw ConfigError("\(quoted): port \(ConfigSyntax.quoted(portText)) must be a number 1-65535")
            }
            port = value
        }
        return (Endpoint(transport: transport, host: String(host), port: port), portText != nil)
    }

    /// `", e.g. udp:[2001:db8::1]:5060"` for unbracketed IPv6 text (`2001:db8::1:5060` is read as
    /// address and port when the part after the last colon looks like a port), or `""`.
    private static func bracketedSuggestion(_ rest: Substring, _ transport: SIPTransportKind) -> String {
        if let colon = rest.lastIndex(of: ":"),
            IPAddress.parseIPv6(rest[..<colon]) != nil,
            let port = parsePort(rest[rest.index(after: colon)...]),
            rest[rest.index(after: colon)...].count >= 4
        {
            return ", e.g. \(transport.rawValue):[\(rest[..<colon])]:\(port)"
        }
        if IPAddress.parseIPv6(rest) != nil {
            return ", e.g. \(transport.rawValue):[\(rest)]:\(transport.defaultPort)"
        }
        return ""
    }

    /// A decimal port in 1...65535, or `nil`.
    static func parsePort(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy(ConfigSyntax.isDigit),
            let value = Int(text), (1...65535).contains(value)
        else { return nil }
        return value
    }
}

extension Endpoint: Codable {
    private enum CodingKeys: String, CodingKey {
        case transport, host, port
    }

    /// Decodes either the text form (`"udp:127.0.0.1:5060"`) or an object with `transport`, `host` and `port`.
    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer(), let text = try? container.decode(String.self) {
            do {
                self = try Endpoint(parsing: text)
            } catch {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
            }
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.transport = try container.decode(SIPTransportKind.self, forKey: .transport)
        self.host = try container.decode(String.self, forKey: .host)
        self.port = try container.decode(Int.self, forKey: .port)
    }

    /// Encodes an object with `transport`, `host` and `port`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(transport, forKey: .transport)
        try container.encode(host, forKey: .host)
        try container.encode(port, forKey: .port)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
