import Crypto

/// HTTP Digest authentication as SIP uses it (RFC 2617, RFC 7616 algorithms, RFC 3261 §22.4):
/// computing a response for a challenge and verifying the response in a set of credentials.
public enum SIPDigest {
    /// The hash behind a Digest exchange.
    public enum Algorithm: Sendable, Hashable, CaseIterable {
        case md5, md5Session, sha256, sha256Session

        /// Reads an `algorithm=` value; an absent value means MD5 (RFC 2617 §3.2.1).
        public init?(token: String?) {
            switch token?.uppercased() {
            case nil, "MD5": self = .md5
            case "MD5-SESS": self = .md5Session
            case "SHA-256": self = .sha256
            case "SHA-256-SESS": self = .sha256Session
            default: return nil
            }
        }

        /// The token as written in `algorithm=`.
        public var token: String {
            switch self {
            case .md5: "MD5"
            case .md5Session: "MD5-sess"
            case .sha256: "SHA-256"
            case .sha256Session: "SHA-256-sess"
            }
        }

        var isSession: Bool { self == .md5Session || self == .sha256Session }

        func hash(_ text: String) -> String {
            switch self {
            case .md5, .md5Session: hex(Insecure.MD5.hash(data: Array(text.utf8)))
            case .sha256, .sha256Session: hex(SHA256.hash(data: Array(text.utf8)))
            }
        }
    }

    /// Why credentials do not verify.
    public enum VerificationError: Error, Sendable, Hashable, CustomStringConvertible {
        case notDigest
        case missingParameter(String)
        case unsupportedAlgorithm(String)
        case unsupportedQOP(String)
        case realmMismatch
        case nonceMismatch
        case wrongResponse

        public var description: String {
            switch self {
            case .notDigest: "credentials are not Digest"
            case .missingParameter(let name): "credentials lack '\(name)'"
            case .unsupportedAlgorithm(let name): "unsupported digest algorithm '\(name)'"
            case .unsupportedQOP(let name): "unsupported qop '\(name)'"
            case .realmMismatch: "realm differs from the challenge"
            case .nonceMismatch: "nonce differs from the challenge"
            case .wrongResponse: "response does not match: wrong password or altered request"
            }
        }
    }

    /// H(username:realm:password), the secret a registrar may store instead of the password.
    public static func ha1(username: String, realm: String, password: String, algorithm: Algorithm = .md5) -> String {
        algorithm.hash("\(username):\(realm):\(password)")
    }

    /// The `response` value for a request (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1).
    ///
    /// - Parameters:
    ///   - ha1: ``ha1(username:realm:password:algorithm:)`` of the user.
    ///   - qop: `auth` or `nil` for the RFC 2069 form without cnonce and nc.
    public static func response(
        ha1: String, method: String, uri: String, nonce: String, algorithm: Algorithm = .md5,
        qop: String? = nil, nonceCount: String? = nil, cnonce: String? = nil
    ) -> String {
        var secret = ha1
        if algorithm.isSession { secret = algorithm.hash("\(ha1):\(nonce):\(cnonce ?? "")") }
        let ha2 = algorithm.hash("\(method):\(uri)")
        if let qop {
            return algorithm.hash("\(secret):\(nonce):\(nonceCount ?? ""):\(cnonce ?? ""):\(qop):\(ha2)")
        }
        return algorithm.hash("\(secret):\(nonce):\(ha2)")
    }

    /// Credentials that answer `challenge` for a request: what a client puts in Authorization.
    public static func credentials(
        answering challenge: SIPAuthorization, method: String, uri: String, username: String, password: String,
        cnonce: String, nonceCount: UInt32 = 1
    ) throws(VerificationError) -> SIPAuthorization {
        guard challenge.isDigest else { throw .notDigest }
        guard let realm = challenge.realm else { throw .missingParameter("realm") }
        guard let nonce = challenge.nonce else { throw .missingParameter("nonce") }
        guard let algorithm = Algorithm(token: challenge.algorithm) else { throw .unsupportedAlgorithm(challenge.algorithm ?? "") }
        let offered = challenge.qop?.split(separator: ",").map { $0.trimmingSpaces().lowercased() }
        let qop: String? = offered.map { $0.contains("auth") ? "auth" : "" }
        if let qop, qop.isEmpty { throw .unsupportedQOP(challenge.qop ?? "") }
        let nc = hexCount(nonceCount)
        let secret = ha1(username: username, realm: realm, password: password, algorithm: algorithm)
        let value = response(ha1: secret, method: method, uri: uri, nonce: nonce, algorithm: algorithm, qop: qop,
                             nonceCount: qop == nil ? nil : nc, cnonce: qop == nil ? nil : cnonce)
        var parameters: [SIPParameters.Parameter] = [
            .init(name: "username", value: SIPParameters.quote(username)),
            .init(name: "realm", value: SIPParameters.quote(realm)),
            .init(name: "nonce", value: SIPParameters.quote(nonce)),
            .init(name: "uri", value: SIPParameters.quote(uri)),
            .init(name: "response", value: SIPParameters.quote(value)),
            .init(name: "algorithm", value: algorithm.token),
        ]
        if let qop {
            parameters += [.init(name: "cnonce", value: SIPParameters.quote(cnonce)), .init(name: "qop", value: qop), .init(name: "nc", value: nc)]
        }
        if let opaque = challenge.opaque { parameters.append(.init(name: "opaque", value: SIPParameters.quote(opaque))) }
        return SIPAuthorization(scheme: "Digest", parameters: parameters)
    }

    /// Checks credentials against the user's HA1, for a request with `method`.
    /// The comparison of the response runs in constant time.
    ///
    /// Credentials without `qop` (the RFC 2069 form, open to chosen-plaintext attacks) are refused
    /// unless `allowsLegacyResponse` is set, so a client cannot downgrade a `qop=auth` challenge.
    public static func verify(
        _ credentials: SIPAuthorization, method: String, ha1: String, expectedRealm: String? = nil,
        expectedNonce: String? = nil, allowsLegacyResponse: Bool = false
    ) throws(VerificationError) {
        guard credentials.isDigest else { throw .notDigest }
        guard let realm = credentials.realm else { throw .missingParameter("realm") }
        guard let nonce = credentials.nonce else { throw .missingParameter("nonce") }
        guard let uri = credentials.uri else { throw .missingParameter("uri") }
        guard let given = credentials.response else { throw .missingParameter("response") }
        guard let algorithm = Algorithm(token: credentials.algorithm) else { throw .unsupportedAlgorithm(credentials.algorithm ?? "") }
        if let expectedRealm, expectedRealm != realm { throw .realmMismatch }
        if let expectedNonce, expectedNonce != nonce { throw .nonceMismatch }
        var expected: String
        if let qop = credentials.qop {
            guard qop.lowercased() == "auth" else { throw .unsupportedQOP(qop) }
            guard let cnonce = credentials.cnonce else { throw .missingParameter("cnonce") }
            guard let nc = credentials.nonceCount else { throw .missingParameter("nc") }
            expected = response(ha1: ha1, method: method, uri: uri, nonce: nonce, algorithm: algorithm, qop: "auth", nonceCount: nc, cnonce: cnonce)
        } else {
            guard allowsLegacyResponse else { throw .unsupportedQOP("none") }
            expected = response(ha1: ha1, method: method, uri: uri, nonce: nonce, algorithm: algorithm)
        }
        guard constantTimeEqual(expected.lowercased(), given.lowercased()) else { throw .wrongResponse }
    }

    /// Checks credentials against the user's password.
    public static func verify(
        _ credentials: SIPAuthorization, method: String, password: String, expectedRealm: String? = nil,
        expectedNonce: String? = nil, allowsLegacyResponse: Bool = false
    ) throws(VerificationError) {
        guard let username = credentials.username else { throw .missingParameter("username") }
        guard let realm = credentials.realm else { throw .missingParameter("realm") }
        guard let algorithm = Algorithm(token: credentials.algorithm) else { throw .unsupportedAlgorithm(credentials.algorithm ?? "") }
        try verify(credentials, method: method, ha1: ha1(username: username, realm: realm, password: password, algorithm: algorithm),
                   expectedRealm: expectedRealm, expectedNonce: expectedNonce, allowsLegacyResponse: allowsLegacyResponse)
    }

    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    static func hexCount(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

extension SIPAuthorization {
    /// A Digest challenge (`WWW-Authenticate` / `Proxy-Authenticate`).
    public static func digestChallenge(
        realm: String, nonce: String, algorithm: SIPDigest.Algorithm = .md5, qop: String? = "auth",
        opaque: String? = nil, stale: Bool = false
    ) -> SIPAuthorization {
        var parameters = [
            SIPParameters.Parameter(name: "realm", value: SIPParameters.quote(realm)),
            SIPParameters.Parameter(name: "nonce", value: SIPParameters.quote(nonce)),
        ]
        if let opaque { parameters.append(.init(name: "opaque", value: SIPParameters.quote(opaque))) }
        if stale { parameters.append(.init(name: "stale", value: "TRUE")) }
        parameters.append(.init(name: "algorithm", value: algorithm.token))
        if let qop { parameters.append(.init(name: "qop", value: SIPParameters.quote(qop))) }
        return SIPAuthorization(scheme: "Digest", parameters: parameters)
    }
}

private func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in digest {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
