/// A challenge or a set of credentials: the value of WWW-Authenticate, Proxy-Authenticate,
/// Authorization or Proxy-Authorization (RFC 3261 §20.7, §20.27, §20.28, §20.44; RFC 7616).
///
/// `scheme auth-param *("," auth-param)` where `auth-param = token "=" (token / quoted-string)`.
/// Unknown schemes parse too (RFC 4475 §3.3.7): the parameters are kept as written.
public struct SIPAuthorization: Sendable, Hashable, CustomStringConvertible {
    /// `Digest`, or any other scheme token.
    public var scheme: String
    /// The parameters in order, values as written (quoted values keep their quotes).
    public var parameters: [SIPParameters.Parameter]

    public init(scheme: String, parameters: [SIPParameters.Parameter]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// Whether the scheme is Digest.
    public var isDigest: Bool { scheme.lowercased() == "digest" }

    /// A parameter's value with quotes removed, by case-insensitive name.
    public subscript(_ name: String) -> String? {
        let lowered = name.lowercased()
        guard let parameter = parameters.first(where: { $0.name.lowercased() == lowered }), let value = parameter.value else {
            return nil
        }
        return SIPParameters.unquote(value)
    }

    public var username: String? { self["username"] }
    public var realm: String? { self["realm"] }
    public var nonce: String? { self["nonce"] }
    public var uri: String? { self["uri"] }
    public var response: String? { self["response"] }
    public var cnonce: String? { self["cnonce"] }
    public var nonceCount: String? { self["nc"] }
    public var opaque: String? { self["opaque"] }
    public var qop: String? { self["qop"] }
    public var algorithm: String? { self["algorithm"] }
    public var stale: Bool { self["stale"]?.lowercased() == "true" }

    public var description: String {
        scheme + " " + parameters.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: ", ")
    }

    /// Parses a challenge or credentials value.
    public init(parsing text: String, header: SIPHeaderName? = .authorization) throws(SIPParseError) {
        var text = text
        let result: Result<SIPAuthorization, SIPParseError> = text.withUTF8 { bytes in
            var scanner = SIPValueScanner(bytes, header: header)
            do throws(SIPParseError) {
                return .success(try SIPAuthorization(scanner: &scanner))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    init(scanner: inout SIPValueScanner) throws(SIPParseError) {
        scanner.skipLWS()
        let scheme = try scanner.token("authentication scheme")
        var parameters: [SIPParameters.Parameter] = []
        scanner.skipLWS()
        while !scanner.isAtEnd {
            let name = try scanner.token("auth-param name")
            try scanner.expect(UInt8(ascii: "="), "'=' after '\(scanner.string(name))'")
            let value: String
            if scanner.current == UInt8(ascii: "\"") {
                let start = scanner.index
                _ = try scanner.quotedString()
                value = scanner.string(start..<scanner.index)
            } else {
                let start = scanner.index
                while let byte = scanner.current, SIPCharacterClass.isToken(byte) || byte == UInt8(ascii: "/")
                    || byte == UInt8(ascii: "=") || byte == UInt8(ascii: ":")
                {
                    scanner.index += 1
                }
                guard scanner.index > start else { throw scanner.error("empty value of '\(scanner.string(name))'") }
                value = scanner.string(start..<scanner.index)
            }
            parameters.append(.init(name: scanner.string(name), value: value))
            scanner.skipLWS()
            if scanner.isAtEnd { break }
            try scanner.expect(UInt8(ascii: ","), "',' between auth-params")
        }
        self.scheme = scanner.string(scheme)
        self.parameters = parameters
    }
}

extension SIPMessage {
    /// Every Authorization value.
    public func authorizations() throws(SIPParseError) -> [SIPAuthorization] {
        try typedValues(.authorization) { (scanner) throws(SIPParseError) in try SIPAuthorization(scanner: &scanner) }
    }

    /// Every Proxy-Authorization value.
    public func proxyAuthorizations() throws(SIPParseError) -> [SIPAuthorization] {
        try typedValues(.proxyAuthorization) { (scanner) throws(SIPParseError) in try SIPAuthorization(scanner: &scanner) }
    }

    /// Every WWW-Authenticate challenge.
    public func wwwAuthenticates() throws(SIPParseError) -> [SIPAuthorization] {
        try typedValues(.wwwAuthenticate) { (scanner) throws(SIPParseError) in try SIPAuthorization(scanner: &scanner) }
    }

    /// Every Proxy-Authenticate challenge.
    public func proxyAuthenticates() throws(SIPParseError) -> [SIPAuthorization] {
        try typedValues(.proxyAuthenticate) { (scanner) throws(SIPParseError) in try SIPAuthorization(scanner: &scanner) }
    }
}
