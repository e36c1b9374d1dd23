/// One Via value (RFC 3261 §20.42, RFC 3581): `SIP/2.0/UDP host:port;branch=...;rport;received=...`.
public struct SIPVia: Sendable, Hashable, CustomStringConvertible {
    /// `SIP` as written.
    public var protocolName: String
    /// `2.0` as written.
    public var protocolVersion: String
    /// The transport token, uppercased (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, or any other token).
    public var transport: String
    /// The sent-by host; an IPv6 reference keeps its brackets.
    public var host: String
    /// The sent-by port, if given.
    public var port: UInt16?
    /// The Via parameters, in order.
    public var parameters: SIPParameters

    /// The RFC 3261 magic cookie that starts every compliant branch.
    public static let magicCookie = "z9hG4bK"

    public init(transport: String, host: String, port: UInt16? = nil, parameters: SIPParameters = SIPParameters()) {
        self.protocolName = "SIP"
        self.protocolVersion = "2.0"
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// The `branch` parameter: the transaction identifier.
    public var branch: String? {
        get { parameters.unquotedValue("branch") }
        set {
            if let newValue { parameters.set("branch", newValue) } else { parameters.remove("branch") }
        }
    }

    /// Whether the branch starts with the RFC 3261 magic cookie (and has more after it).
    public var hasRFC3261Branch: Bool {
        guard let branch, branch.hasPrefix(SIPVia.magicCookie) else { return false }
        return branch.utf8.count > SIPVia.magicCookie.utf8.count
    }

    /// The `received` parameter: the address the request really came from.
    public var received: String? {
        get { parameters.unquotedValue("received") }
        set {
            if let newValue { parameters.set("received", newValue) } else { parameters.remove("received") }
        }
    }

    /// The `rport` parameter (RFC 3581).
    public enum RPort: Sendable, Hashable {
        /// No `rport` parameter.
        case absent
        /// `;rport` without a value: the client asks for the source port.
        case requested
        /// `;rport=5060`, filled in by the server.
        case value(UInt16)
    }

    /// The `rport` parameter.
    public var rport: RPort {
        get {
            guard let value = parameters["rport"] else { return .absent }
            guard let text = value, let port = UInt16(text) else { return .requested }
            return .value(port)
        }
        set {
            switch newValue {
            case .absent: parameters.remove("rport")
            case .requested: parameters.set("rport", nil)
            case .value(let port): parameters.set("rport", String(port))
            }
        }
    }

    /// The `maddr` parameter.
    public var maddr: String? { parameters.unquotedValue("maddr") }

    /// The `ttl` parameter, when it is a number from 0 to 255.
    public var ttl: UInt8? { parameters.unquotedValue("ttl").flatMap { UInt8($0) } }

    /// `host[:port]`.
    public var sentBy: String {
        if let port { return "\(host):\(port)" }
        return host
    }

    public var description: String {
        "\(protocolName)/\(protocolVersion)/\(transport) \(sentBy)\(parameters)"
    }

    /// Parses one Via value.
    public init(parsing text: String) throws(SIPParseError) {
        var text = text
        let result: Result<SIPVia, SIPParseError> = text.withUTF8 { bytes in
            var scanner = SIPValueScanner(bytes, header: .via)
            do throws(SIPParseError) {
                return .success(try SIPVia(scanner: &scanner))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    init(scanner: inout SIPValueScanner) throws(SIPParseError) {
        scanner.skipLWS()
        let name = try scanner.token("protocol name")
        try scanner.expect(UInt8(ascii: "/"), "'/' after the protocol name")
        let version = try scanner.token("protocol version")
        try scanner.expect(UInt8(ascii: "/"), "'/' after the protocol version")
        let transport = try scanner.token("transport")
        let beforeHost = scanner.index
        scanner.skipLWS()
        guard scanner.index > beforeHost else { throw scanner.error("expected white space before sent-by") }

        let hostStart = scanner.index
        if scanner.current == UInt8(ascii: "[") {
            // Same rule as a SIP URI's IPv6 reference: hex digits, ':' and '.', with at least two colons.
            scanner.index += 1
            var colons = 0
            while let byte = scanner.current, byte != UInt8(ascii: "]") {
                guard SIPCharacterClass.isHex(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") else {
                    throw scanner.error("invalid IPv6 reference in sent-by")
                }
                if byte == UInt8(ascii: ":") { colons += 1 }
                scanner.index += 1
            }
            guard scanner.current == UInt8(ascii: "]") else { throw scanner.error("unterminated IPv6 reference") }
            guard colons >= 2 else { throw scanner.error("invalid IPv6 reference in sent-by") }
            scanner.index += 1
        } else {
            while let byte = scanner.current, SIPCharacterClass.isAlphaNum(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") {
                scanner.index += 1
            }
            guard scanner.index > hostStart,
                SIPURI.isValidHostName(UnsafeBufferPointer(rebasing: scanner.bytes[hostStart..<scanner.index]))
            else { throw scanner.error("expected sent-by host") }
        }
        let host = scanner.string(hostStart..<scanner.index)
        var port: UInt16?
        if scanner.consume(UInt8(ascii: ":")) {
            let portStart = scanner.index
            var value = 0
            while let byte = scanner.current, SIPCharacterClass.isDigit(byte), scanner.index - portStart < 6 {
                value = value * 10 + Int(byte &- 0x30)
                scanner.index += 1
            }
            guard scanner.index > portStart, value <= 65535 else { throw scanner.error("sent-by port is not a number from 0 to 65535") }
            port = UInt16(value)
        }
        let parameters = try scanner.parameters()
        try scanner.expectEnd("Via parameters")

        self.protocolName = scanner.string(name)
        self.protocolVersion = scanner.string(version)
        self.transport = SIPCharacterClass.uppercased(scanner.string(transport))
        self.host = host
        self.port = port
        self.parameters = parameters

        if let ttl = parameters["ttl"] {
            guard let text = ttl, let value = Int(text), (0...255).contains(value) else {
                throw scanner.error("ttl is not a number from 0 to 255")
            }
        }
        if let rport = parameters["rport"], let text = rport {
            guard UInt16(text) != nil else { throw scanner.error("rport is not a port number") }
        }
        if let received = parameters["received"] {
            guard let text = received, SIPVia.isIPAddress(text) else {
                throw scanner.error("received is not an IP address")
            }
        }
        if let branch = parameters["branch"], branch == nil {
            throw scanner.error("branch without a value")
        }
    }

    /// Whether `text` is an IPv4 address or an IPv6 address, bracketed or not (RFC 5118 §4.5 accepts both).
    static func isIPAddress(_ text: String) -> Bool {
        if SIPURI.isIPv4(text) { return true }
        var address = Substring(text)
        if address.hasPrefix("["), address.hasSuffix("]") { address = address.dropFirst().dropLast() }
        let colons = address.filter { $0 == ":" }.count
        return colons >= 2 && address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
