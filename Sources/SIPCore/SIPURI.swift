/// A URI as SIP carries it: `sip:` and `sips:` (RFC 3261 §19.1), `tel:` (RFC 3966), or any other
/// absolute URI kept whole.
///
/// Components are kept as written (escaped), so serialising gives back the same text;
/// ``SIPURI/unescape(_:)`` decodes them once when a comparison or a lookup needs the plain value.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    /// The URI scheme.
    public enum Scheme: Sendable, Hashable, CustomStringConvertible {
        case sip, sips, tel
        case other(String)

        init(_ text: String) {
            let lowered = SIPCharacterClass.lowercased(text)
            switch lowered {
            case "sip": self = .sip
            case "sips": self = .sips
            case "tel": self = .tel
            default: self = .other(lowered)
            }
        }

        public var description: String {
            switch self {
            case .sip: "sip"
            case .sips: "sips"
            case .tel: "tel"
            case .other(let name): name
            }
        }
    }

    /// What kind of host a SIP URI names.
    public enum HostKind: Sendable, Hashable {
        case name, ipv4, ipv6
    }

    /// One `?name=value` header of a SIP URI.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var scheme: Scheme
    /// The user part (escaped as written); for `tel:` the telephone number.
    public var user: String?
    /// The password of the user-info (escaped as written).
    public var password: String?
    /// The host as written; an IPv6 reference keeps its brackets. Empty for `tel:` and other schemes.
    public var host: String
    /// The port, if given.
    public var port: UInt16?
    /// URI parameters (`;transport=tcp;lr`); for `tel:` the number's parameters.
    public var parameters: SIPParameters
    /// URI headers (`?Subject=x&Route=...`).
    public var headers: [Header]
    /// For schemes other than sip, sips and tel: everything after `scheme:`.
    public var opaque: String?

    /// A SIP or SIPS URI from its parts.
    public init(scheme: Scheme = .sip, user: String? = nil, password: String? = nil, host: String, port: UInt16? = nil,
                parameters: SIPParameters = SIPParameters(), headers: [Header] = []) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = nil
    }

    /// Whether this is a `sip:` or `sips:` URI.
    public var isSIP: Bool { scheme == .sip || scheme == .sips }

    /// The host without IPv6 brackets, lowercased: the form to resolve or compare.
    public var hostAddress: String {
        var text = host
        if text.utf8.first == UInt8(ascii: "["), text.utf8.last == UInt8(ascii: "]") { text = String(text.dropFirst().dropLast()) }
        // Addresses are lowercase already; only names with capitals need a new string.
        return SIPCharacterClass.lowercased(text)
    }

    /// Whether the host is a name, an IPv4 address or an IPv6 reference.
    public var hostKind: HostKind {
        if host.hasPrefix("[") { return .ipv6 }
        if SIPURI.isIPv4(host) { return .ipv4 }
        return .name
    }

    /// The `transport` parameter, lowercased.
    public var transport: String? { parameters.unquotedValue("transport")?.lowercased() }

    /// Whether the URI carries `lr` (a loose router, RFC 3261 §16.12).
    public var isLooseRouter: Bool { parameters.contains("lr") }

    /// The user part with `%HH` escapes decoded once.
    public var unescapedUser: String? { user.map(SIPURI.unescape) }

    /// `host[:port]`.
    public var hostPort: String {
        if let port { return "\(host):\(port)" }
        return host
    }

    public var description: String {
        if let opaque { return "\(scheme):\(opaque)" }
        var out = "\(scheme):"
        if scheme == .tel {
            out += user ?? ""
            return out + parameters.description
        }
        if let user {
            out += user
            if let password { out += ":" + password }
            out += "@"
        }
        out += hostPort
        out += parameters.description
        for (index, header) in headers.enumerated() {
            out += (index == 0 ? "?" : "&") + header.name + "=" + header.value
        }
        return out
    }
}

// MARK: - Parsing

extension SIPURI {
    /// Parses a URI. SIP and SIPS URIs are checked against RFC 3261 §25.1 (escapes, user, host,
    /// port, parameters, headers); `tel:` against RFC 3966's characters; other schemes need a
    /// valid scheme and a non-empty remainder without white space or control characters.
    public init(parsing text: String) throws(SIPParseError) {
        var text = text
        let result: Result<SIPURI, SIPParseError> = text.withUTF8 { bytes in
            do throws(SIPParseError) {
                return .success(try SIPURI(bytes: bytes, base: 0, header: nil))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    init(bytes: UnsafeBufferPointer<UInt8>, base: Int, header: SIPHeaderName?) throws(SIPParseError) {
        func fail(_ detail: String, at offset: Int) -> SIPParseError {
            SIPParseError(.malformedURI(detail), offset: base + offset, header: header)
        }
        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        let end = bytes.count
        var i = 0
        guard i < end, SIPCharacterClass.isAlpha(bytes[i]) else { throw fail("missing scheme", at: 0) }
        while i < end, SIPCharacterClass.isAlphaNum(bytes[i]) || bytes[i] == UInt8(ascii: "+")
            || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ".")
        {
            i += 1
        }
        guard i < end, bytes[i] == UInt8(ascii: ":") else { throw fail("missing ':' after the scheme", at: i) }
        let scheme = Scheme(text(0..<i))
        i += 1
        guard i < end else { throw fail("nothing after the scheme", at: i) }

        self.init(scheme: scheme, host: "")
        switch scheme {
        case .sip, .sips:
            try parseSIP(bytes, from: i, fail: fail, text: text)
        case .tel:
            try parseTel(bytes, from: i, fail: fail, text: text)
        case .other:
            for index in i..<end where bytes[index] <= 0x20 || bytes[index] == 0x7F {
                throw fail("white space or control character", at: index)
            }
            opaque = text(i..<end)
        }
    }

    private mutating func parseSIP(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int,
        fail: (String, Int) -> SIPParseError, text: (Range<Int>) -> String
    ) throws(SIPParseError) {
        let end = bytes.count
        var i = start
        // userinfo ends at the first '@' (an '@' inside the user part must be escaped).
        if let at = bytes.firstIndex(of: UInt8(ascii: "@"), from: start, to: end) {
            var colon: Int?
            var j = start
            while j < at {
                let byte = bytes[j]
                if byte == UInt8(ascii: "%") {
                    try SIPURI.checkEscape(bytes, j, fail: fail)
                    j += 3
                    continue
                }
                if byte == UInt8(ascii: ":"), colon == nil {
                    colon = j
                } else if !(SIPCharacterClass.isUnreserved(byte) || SIPURI.isUserUnreserved(byte)
                    || (colon != nil && SIPURI.isPasswordByte(byte)))
                {
                    throw fail("character not allowed in the user part", j)
                }
                j += 1
            }
            let userEnd = colon ?? at
            guard userEnd > start else { throw fail("empty user part before '@'", at) }
            user = text(start..<userEnd)
            if let colon { password = text((colon + 1)..<at) }
            i = at + 1
        }

        // host
        let hostStart = i
        guard i < end else { throw fail("missing host", i) }
        if bytes[i] == UInt8(ascii: "[") {
            i += 1
            var colons = 0
            while i < end, bytes[i] != UInt8(ascii: "]") {
                let byte = bytes[i]
                guard SIPCharacterClass.isHex(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") else {
                    throw fail("character not allowed in an IPv6 reference", i)
                }
                if byte == UInt8(ascii: ":") { colons += 1 }
                i += 1
            }
            guard i < end, colons >= 2 else { throw fail("unterminated or invalid IPv6 reference", i) }
            i += 1
        } else {
            while i < end, SIPCharacterClass.isAlphaNum(bytes[i]) || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ".") {
                i += 1
            }
            guard i > hostStart else { throw fail("missing host", i) }
            guard SIPURI.isValidHostName(UnsafeBufferPointer(rebasing: bytes[hostStart..<i])) else {
                throw fail("invalid host name", hostStart)
            }
        }
        host = text(hostStart..<i)

        // port
        if i < end, bytes[i] == UInt8(ascii: ":") {
            i += 1
            let portStart = i
            var value = 0
            while i < end, SIPCharacterClass.isDigit(bytes[i]), i - portStart < 6 {
                value = value * 10 + Int(bytes[i] &- 0x30)
                i += 1
            }
            guard i > portStart, value <= 65535 else { throw fail("port is not a number from 0 to 65535", portStart) }
            port = UInt16(value)
        }

        // parameters
        while i < end, bytes[i] == UInt8(ascii: ";") {
            i += 1
            let nameStart = i
            while i < end, SIPURI.isParameterByte(bytes[i]) {
                if bytes[i] == UInt8(ascii: "%") { try SIPURI.checkEscape(bytes, i, fail: fail); i += 2 }
                i += 1
            }
            guard i > nameStart else { throw fail("empty URI parameter", i) }
            let name = text(nameStart..<i)
            var value: String?
            if i < end, bytes[i] == UInt8(ascii: "=") {
                i += 1
                let valueStart = i
                while i < end, SIPURI.isParameterByte(bytes[i]) {
                    if bytes[i] == UInt8(ascii: "%") { try SIPURI.checkEscape(bytes, i, fail: fail); i += 2 }
                    i += 1
                }
                guard i > valueStart else { throw fail("empty value of URI parameter '\(name)'", i) }
                value = text(valueStart..<i)
            }
            parameters.append(name, value)
        }

        // headers
        if i < end, bytes[i] == UInt8(ascii: "?") {
            repeat {
                i += 1
                let nameStart = i
                while i < end, SIPURI.isHeaderByte(bytes[i]) {
                    if bytes[i] == UInt8(ascii: "%") { try SIPURI.checkEscape(bytes, i, fail: fail); i += 2 }
                    i += 1
                }
                guard i > nameStart, i < end, bytes[i] == UInt8(ascii: "=") else { throw fail("malformed URI header", i) }
                let name = text(nameStart..<i)
                i += 1
                let valueStart = i
                while i < end, SIPURI.isHeaderByte(bytes[i]) {
                    if bytes[i] == UInt8(ascii: "%") { try SIPURI.checkEscape(bytes, i, fail: fail); i += 2 }
                    i += 1
                }
                headers.append(Header(name: name, value: text(valueStart..<i)))
            } while i < end && bytes[i] == UInt8(ascii: "&")
        }
        guard i == end else { throw fail("unexpected character", i) }
    }

    private mutating func parseTel(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int,
        fail: (String, Int) -> SIPParseError, text: (Range<Int>) -> String
    ) throws(SIPParseError) {
        let end = bytes.count
        var i = start
        while i < end, bytes[i] != UInt8(ascii: ";") {
            let byte = bytes[i]
            guard SIPCharacterClass.isHex(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "*")
                || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")
            else { throw fail("character not allowed in a telephone number", i) }
            i += 1
        }
        guard i > start else { throw fail("empty telephone number", i) }
        user = text(start..<i)
        while i < end, bytes[i] == UInt8(ascii: ";") {
            i += 1
            let nameStart = i
            while i < end, SIPCharacterClass.isAlphaNum(bytes[i]) || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i > nameStart else { throw fail("empty tel parameter", i) }
            let name = text(nameStart..<i)
            var value: String?
            if i < end, bytes[i] == UInt8(ascii: "=") {
                i += 1
                let valueStart = i
                while i < end, bytes[i] != UInt8(ascii: ";") {
                    guard bytes[i] > 0x20, bytes[i] != 0x7F else { throw fail("control character in tel parameter", i) }
                    i += 1
                }
                value = text(valueStart..<i)
            }
            parameters.append(name, value)
        }
    }

    static func checkEscape(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, fail: (String, Int) -> SIPParseError) throws(SIPParseError) {
        guard i + 2 < bytes.count + 0, SIPCharacterClass.isHex(bytes[i + 1]), SIPCharacterClass.isHex(bytes[i + 2]) else {
            throw fail("'%' not followed by two hex digits", i)
        }
    }

    static func isUserUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: ","),
            UInt8(ascii: ";"), UInt8(ascii: "?"), UInt8(ascii: "/"):
            true
        default: false
        }
    }

    static func isPasswordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: ","): true
        default: false
        }
    }

    static func isParameterByte(_ byte: UInt8) -> Bool {
        if SIPCharacterClass.isUnreserved(byte) { return true }
        switch byte {
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "&"),
            UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: "%"):
            return true
        default: return false
        }
    }

    static func isHeaderByte(_ byte: UInt8) -> Bool {
        if SIPCharacterClass.isUnreserved(byte) { return true }
        switch byte {
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: ":"),
            UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: "%"):
            return true
        default: return false
        }
    }

    /// hostname = *( domainlabel "." ) toplabel [ "." ], or an IPv4 address.
    static func isValidHostName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes[0] != UInt8(ascii: "-"), bytes[0] != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") || previous == UInt8(ascii: "-") { return false }
            if byte == UInt8(ascii: "-"), previous == UInt8(ascii: ".") { return false }
            previous = byte
        }
        return previous != UInt8(ascii: "-")
    }

    /// Whether `text` is a dotted-quad IPv4 address.
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part).map { $0 <= 255 } == true
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
