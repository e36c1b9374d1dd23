import Testing

@testable import SIPCore

/// Published and independently computed Digest vectors.
private enum Vectors {
    // RFC 2617 §3.5.
    static let rfc2617Nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"
    // RFC 7616 §3.9.1.
    static let rfc7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
    static let rfc7616CNonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
}

@Suite("Digest authentication")
struct SIPDigestTests {
    // MARK: - Published vectors

    @Test("HA1 of the RFC 2617 §3.5 user")
    func rfc2617HA1() {
        #expect(SIPDigest.ha1(username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life")
            == "939e7578ed9e3c518a452acee763bce9")
    }

    @Test("RFC 2617 §3.5: qop=auth response with MD5")
    func rfc2617Response() {
        let ha1 = SIPDigest.ha1(username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life")
        let response = SIPDigest.response(
            ha1: ha1, method: "GET", uri: "/dir/index.html", nonce: Vectors.rfc2617Nonce,
            qop: "auth", nonceCount: "00000001", cnonce: "0a4f113b")
        #expect(response == "6629fae49393a05397450978507c4ef1")
    }

    // The MD5 value is the one printed in RFC 7616 §3.9.1 (and recomputed with Python's hashlib):
    // 8ca523f5e9506fed4657c9700eebdbec.
    @Test("RFC 7616 §3.9.1: qop=auth responses with MD5 and SHA-256", arguments: [
        (SIPDigest.Algorithm.md5, "8ca523f5e9506fed4657c9700eebdbec"),
        (.sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ])
    func rfc7616Response(algorithm: SIPDigest.Algorithm, expected: String) {
        let ha1 = SIPDigest.ha1(username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life", algorithm: algorithm)
        let response = SIPDigest.response(
            ha1: ha1, method: "GET", uri: "/dir/index.html", nonce: Vectors.rfc7616Nonce, algorithm: algorithm,
            qop: "auth", nonceCount: "00000001", cnonce: Vectors.rfc7616CNonce)
        #expect(response == expected)
    }

    // Session variants are not printed in RFC 7616; these were computed independently with hashlib
    // as H(H(H(user:realm:pw):nonce:cnonce):nonce:nc:cnonce:qop:H(method:uri)).
    @Test("-sess algorithms hash the nonce and cnonce into HA1", arguments: [
        (SIPDigest.Algorithm.md5Session, "e783283f46242139c486a698fec7211d"),
        (.sha256Session, "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7"),
    ])
    func sessionResponse(algorithm: SIPDigest.Algorithm, expected: String) {
        let ha1 = SIPDigest.ha1(username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life", algorithm: algorithm)
        let response = SIPDigest.response(
            ha1: ha1, method: "GET", uri: "/dir/index.html", nonce: Vectors.rfc7616Nonce, algorithm: algorithm,
            qop: "auth", nonceCount: "00000001", cnonce: Vectors.rfc7616CNonce)
        #expect(response == expected)
    }

    // RFC 2069's own printed example is known to be wrong; this value is hashlib's
    // MD5(HA1:nonce:MD5("GET:/dir/index.html")) for the RFC 2617 user.
    @Test("RFC 2069 form: without qop the response leaves out nc and cnonce")
    func rfc2069Response() {
        let ha1 = SIPDigest.ha1(username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life")
        let response = SIPDigest.response(ha1: ha1, method: "GET", uri: "/dir/index.html", nonce: Vectors.rfc2617Nonce)
        #expect(response == "670fd8c2df070c60b045671b8b24ff02")
        // nc and cnonce are ignored without qop.
        #expect(SIPDigest.response(ha1: ha1, method: "GET", uri: "/dir/index.html", nonce: Vectors.rfc2617Nonce,
                                   nonceCount: "00000001", cnonce: "0a4f113b") == response)
    }

    @Test("the algorithm token is read case-insensitively and absent means MD5", arguments: [
        (nil, SIPDigest.Algorithm.md5), ("MD5", .md5), ("md5", .md5), ("MD5-sess", .md5Session), ("MD5-SESS", .md5Session),
        ("SHA-256", .sha256), ("sha-256", .sha256), ("SHA-256-sess", .sha256Session),
    ] as [(String?, SIPDigest.Algorithm)])
    func algorithmTokens(token: String?, algorithm: SIPDigest.Algorithm) {
        #expect(SIPDigest.Algorithm(token: token) == algorithm)
        #expect(SIPDigest.Algorithm(token: algorithm.token) == algorithm)
    }

    @Test("unknown algorithm tokens are refused", arguments: ["SHA-512-256", "SHA-1", "", "AKAv1-MD5", "MD5 "])
    func unknownAlgorithm(token: String) {
        #expect(SIPDigest.Algorithm(token: token) == nil)
    }

    // MARK: - Challenge, credentials, verification

    static let challenge = SIPAuthorization.digestChallenge(
        realm: "atlanta.example.com", nonce: "ea9c8e88df84f1cec4341ae6cbe5a359", opaque: "5ccc069c403ebaf9f0171e9517f40e41")

    @Test("credentials answering a challenge verify with the right password", arguments: SIPDigest.Algorithm.allCases)
    func roundTrip(algorithm: SIPDigest.Algorithm) throws {
        let challenge = SIPAuthorization.digestChallenge(realm: "atlanta.example.com", nonce: "n0nce", algorithm: algorithm, opaque: "op")
        let credentials = try SIPDigest.credentials(
            answering: challenge, method: "INVITE", uri: "sip:bob@biloxi.example.com", username: "alice",
            password: "s3cret", cnonce: "c1", nonceCount: 1)
        #expect(credentials.isDigest)
        #expect(credentials.username == "alice")
        #expect(credentials.realm == "atlanta.example.com")
        #expect(credentials.nonce == "n0nce")
        #expect(credentials.uri == "sip:bob@biloxi.example.com")
        #expect(credentials.opaque == "op")
        #expect(credentials.qop == "auth")
        #expect(credentials.nonceCount == "00000001")
        #expect(credentials.cnonce == "c1")
        #expect(SIPDigest.Algorithm(token: credentials.algorithm) == algorithm)
        try SIPDigest.verify(credentials, method: "INVITE", password: "s3cret",
                             expectedRealm: "atlanta.example.com", expectedNonce: "n0nce")
        let ha1 = SIPDigest.ha1(username: "alice", realm: "atlanta.example.com", password: "s3cret", algorithm: algorithm)
        try SIPDigest.verify(credentials, method: "INVITE", ha1: ha1)
    }

    @Test("the credentials' response is the RFC 2617 computation")
    func credentialsMatchVector() throws {
        let challenge = SIPAuthorization.digestChallenge(realm: "testrealm@host.com", nonce: Vectors.rfc2617Nonce)
        let credentials = try SIPDigest.credentials(
            answering: challenge, method: "GET", uri: "/dir/index.html", username: "Mufasa",
            password: "Circle Of Life", cnonce: "0a4f113b")
        #expect(credentials.response == "6629fae49393a05397450978507c4ef1")
    }

    @Test("the nonce count is written as eight hex digits", arguments: [
        (UInt32(1), "00000001"), (255, "000000ff"), (0x1_0000, "00010000"), (UInt32.max, "ffffffff"),
    ])
    func nonceCount(count: UInt32, text: String) throws {
        let credentials = try SIPDigest.credentials(
            answering: Self.challenge, method: "REGISTER", uri: "sip:atlanta.example.com", username: "a", password: "b",
            cnonce: "c", nonceCount: count)
        #expect(credentials.nonceCount == text)
        try SIPDigest.verify(credentials, method: "REGISTER", password: "b")
    }

    @Test("a wrong password, method or URI fails with wrongResponse")
    func wrongResponse() throws {
        let credentials = try SIPDigest.credentials(
            answering: Self.challenge, method: "INVITE", uri: "sip:bob@biloxi.example.com", username: "alice",
            password: "s3cret", cnonce: "c1")
        #expect(throws: SIPDigest.VerificationError.wrongResponse) {
            try SIPDigest.verify(credentials, method: "INVITE", password: "S3cret")
        }
        #expect(throws: SIPDigest.VerificationError.wrongResponse) {
            try SIPDigest.verify(credentials, method: "BYE", password: "s3cret")
        }
        #expect(throws: SIPDigest.VerificationError.wrongResponse) {
            try SIPDigest.verify(credentials, method: "INVITE", password: "")
        }
        var tampered = credentials
        tampered.parameters = tampered.parameters.map {
            $0.name == "uri" ? .init(name: "uri", value: "\"sip:mallory@evil.example.com\"") : $0
        }
        #expect(throws: SIPDigest.VerificationError.wrongResponse) {
            try SIPDigest.verify(tampered, method: "INVITE", password: "s3cret")
        }
    }

    @Test("an upper-case hex response still verifies")
    func upperCaseResponse() throws {
        let credentials = try SIPAuthorization(parsing:
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"\(Vectors.rfc2617Nonce)\", uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629FAE49393A05397450978507C4EF1\"")
        try SIPDigest.verify(credentials, method: "GET", password: "Circle Of Life")
    }

    @Test("a realm or nonce other than the challenge's is refused before the response is checked")
    func realmAndNonceMismatch() throws {
        let credentials = try SIPDigest.credentials(
            answering: Self.challenge, method: "INVITE", uri: "sip:bob@biloxi.example.com", username: "alice",
            password: "s3cret", cnonce: "c1")
        #expect(throws: SIPDigest.VerificationError.realmMismatch) {
            try SIPDigest.verify(credentials, method: "INVITE", password: "s3cret", expectedRealm: "biloxi.example.com")
        }
        #expect(throws: SIPDigest.VerificationError.nonceMismatch) {
            try SIPDigest.verify(credentials, method: "INVITE", password: "s3cret",
                                 expectedRealm: "atlanta.example.com", expectedNonce: "stale-nonce")
        }
        // Realm comparison is exact.
        #expect(throws: SIPDigest.VerificationError.realmMismatch) {
            try SIPDigest.verify(credentials, method: "INVITE", password: "s3cret", expectedRealm: "ATLANTA.example.com")
        }
    }

    @Test("credentials lacking a required parameter are refused", arguments: [
        ("username", "Digest realm=\"r\", nonce=\"n\", uri=\"sip:a\", response=\"00\""),
        ("realm", "Digest username=\"u\", nonce=\"n\", uri=\"sip:a\", response=\"00\""),
        ("nonce", "Digest username=\"u\", realm=\"r\", uri=\"sip:a\", response=\"00\""),
        ("uri", "Digest username=\"u\", realm=\"r\", nonce=\"n\", response=\"00\""),
        ("response", "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a\""),
        ("cnonce", "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a\", response=\"00\", qop=auth, nc=00000001"),
        ("nc", "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a\", response=\"00\", qop=auth, cnonce=\"c\""),
    ])
    func missingParameter(name: String, header: String) throws {
        let credentials = try SIPAuthorization(parsing: header)
        #expect(throws: SIPDigest.VerificationError.missingParameter(name)) {
            try SIPDigest.verify(credentials, method: "REGISTER", password: "pw")
        }
    }

    @Test("an unsupported algorithm or qop is refused")
    func unsupportedAlgorithmAndQOP() throws {
        let sha512 = try SIPAuthorization(parsing:
            "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a\", response=\"00\", algorithm=SHA-512-256")
        #expect(throws: SIPDigest.VerificationError.unsupportedAlgorithm("SHA-512-256")) {
            try SIPDigest.verify(sha512, method: "REGISTER", password: "pw")
        }
        #expect(throws: SIPDigest.VerificationError.unsupportedAlgorithm("SHA-512-256")) {
            try SIPDigest.verify(sha512, method: "REGISTER", ha1: "00")
        }
        let challenge = try SIPAuthorization(parsing: "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256", header: .wwwAuthenticate)
        #expect(throws: SIPDigest.VerificationError.unsupportedAlgorithm("SHA-512-256")) {
            try SIPDigest.credentials(answering: challenge, method: "REGISTER", uri: "sip:r", username: "u", password: "p", cnonce: "c")
        }
        let authInt = try SIPAuthorization(parsing:
            "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a\", response=\"00\", qop=auth-int, nc=00000001, cnonce=\"c\"")
        #expect(throws: SIPDigest.VerificationError.unsupportedQOP("auth-int")) {
            try SIPDigest.verify(authInt, method: "REGISTER", password: "pw")
        }
        let authIntOnly = SIPAuthorization.digestChallenge(realm: "r", nonce: "n", qop: "auth-int")
        #expect(throws: SIPDigest.VerificationError.unsupportedQOP("auth-int")) {
            try SIPDigest.credentials(answering: authIntOnly, method: "REGISTER", uri: "sip:r", username: "u", password: "p", cnonce: "c")
        }
    }

    @Test("a challenge offering several qop values is answered with auth")
    func qopList() throws {
        let challenge = SIPAuthorization.digestChallenge(realm: "r", nonce: "n", qop: "auth-int, auth")
        let credentials = try SIPDigest.credentials(
            answering: challenge, method: "REGISTER", uri: "sip:r", username: "u", password: "p", cnonce: "c")
        #expect(credentials.qop == "auth")
        try SIPDigest.verify(credentials, method: "REGISTER", password: "p")
    }

    @Test("a challenge without realm or nonce, or not Digest, cannot be answered")
    func unanswerableChallenges() throws {
        let noRealm = try SIPAuthorization(parsing: "Digest nonce=\"n\"", header: .wwwAuthenticate)
        #expect(throws: SIPDigest.VerificationError.missingParameter("realm")) {
            try SIPDigest.credentials(answering: noRealm, method: "REGISTER", uri: "sip:r", username: "u", password: "p", cnonce: "c")
        }
        let noNonce = try SIPAuthorization(parsing: "Digest realm=\"r\"", header: .wwwAuthenticate)
        #expect(throws: SIPDigest.VerificationError.missingParameter("nonce")) {
            try SIPDigest.credentials(answering: noNonce, method: "REGISTER", uri: "sip:r", username: "u", password: "p", cnonce: "c")
        }
        let basic = try SIPAuthorization(parsing: "Basic realm=\"r\"", header: .wwwAuthenticate)
        #expect(throws: SIPDigest.VerificationError.notDigest) {
            try SIPDigest.credentials(answering: basic, method: "REGISTER", uri: "sip:r", username: "u", password: "p", cnonce: "c")
        }
    }

    @Test("RFC 2069 form: a challenge without qop is answered without qop, nc or cnonce, and verifies")
    func rfc2069RoundTrip() throws {
        let challenge = SIPAuthorization.digestChallenge(realm: "testrealm@host.com", nonce: Vectors.rfc2617Nonce, qop: nil)
        let credentials = try SIPDigest.credentials(
            answering: challenge, method: "GET", uri: "/dir/index.html", username: "Mufasa",
            password: "Circle Of Life", cnonce: "ignored")
        #expect(credentials.qop == nil)
        #expect(credentials.nonceCount == nil)
        #expect(credentials.cnonce == nil)
        #expect(credentials.response == "670fd8c2df070c60b045671b8b24ff02")
        try SIPDigest.verify(credentials, method: "GET", password: "Circle Of Life", allowsLegacyResponse: true)
        #expect(throws: SIPDigest.VerificationError.wrongResponse) {
            try SIPDigest.verify(credentials, method: "GET", password: "Circle of Life", allowsLegacyResponse: true)
        }
        // Without the explicit opt-in, a response without qop is a downgrade and is refused.
        #expect(throws: SIPDigest.VerificationError.unsupportedQOP("none")) {
            try SIPDigest.verify(credentials, method: "GET", password: "Circle Of Life")
        }
    }

    @Test("credentials of another scheme are not Digest")
    func notDigest() throws {
        let other = try SIPAuthorization(parsing: "NoOneKnowsThisScheme opaque-data=here")
        #expect(throws: SIPDigest.VerificationError.notDigest) {
            try SIPDigest.verify(other, method: "REGISTER", ha1: "00")
        }
    }

    @Test("the constant-time comparison is an exact comparison")
    func constantTimeEqual() {
        #expect(SIPDigest.constantTimeEqual("abc", "abc"))
        #expect(!SIPDigest.constantTimeEqual("abc", "abd"))
        #expect(!SIPDigest.constantTimeEqual("abc", "ab"))
        #expect(!SIPDigest.constantTimeEqual("", "a"))
        #expect(SIPDigest.constantTimeEqual("", ""))
    }
}

@Suite("Authorization header values")
struct SIPAuthorizationTests {
    @Test("a SIP Digest Authorization value is read: quoted and token values, commas with LWS")
    func digestCredentials() throws {
        let auth = try SIPAuthorization(parsing: """
            Digest username="bob",realm="biloxi.com" ,\r
             nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com",\tqop=auth,  nc=00000001,
            cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41",
            algorithm=MD5
            """)
        #expect(auth.scheme == "Digest")
        #expect(auth.isDigest)
        #expect(auth.parameters.map(\.name) == ["username", "realm", "nonce", "uri", "qop", "nc", "cnonce", "response", "opaque", "algorithm"])
        #expect(auth.username == "bob")
        #expect(auth.realm == "biloxi.com")
        #expect(auth.nonce == "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        #expect(auth.uri == "sip:bob@biloxi.com")
        #expect(auth.qop == "auth")
        #expect(auth.nonceCount == "00000001")
        #expect(auth.cnonce == "0a4f113b")
        #expect(auth.response == "6629fae49393a05397450978507c4ef1")
        #expect(auth.opaque == "5ccc069c403ebaf9f0171e9517f40e41")
        #expect(auth.algorithm == "MD5")
        // Values are kept as written, quotes included.
        #expect(auth.parameters[0].value == "\"bob\"")
        #expect(auth.parameters[4].value == "auth")
    }

    @Test("names and scheme are case-insensitive and quoted pairs are resolved")
    func caseAndEscapes() throws {
        let auth = try SIPAuthorization(parsing: #"dIgEsT USERNAME="a \"quoted\" name", Realm="r\\x", stale=TRUE"#, header: .wwwAuthenticate)
        #expect(auth.isDigest)
        #expect(auth.username == "a \"quoted\" name")
        #expect(auth.realm == "r\\x")
        #expect(auth.stale)
        #expect(auth["NONCE"] == nil)
    }

    @Test("a token value may hold '/', '=' and ':' (base64 nonces, URIs)")
    func tokenValueCharacters() throws {
        let auth = try SIPAuthorization(parsing: "Digest nonce=7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v==, uri=sip:biloxi.com")
        #expect(auth.nonce == "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v==")
        #expect(auth.uri == "sip:biloxi.com")
    }

    @Test("an unknown scheme parses with its parameters as written (RFC 4475 regaut01)")
    func unknownScheme() throws {
        let auth = try SIPAuthorization(parsing: "NoOneKnowsThisScheme opaque-data=here")
        #expect(auth.scheme == "NoOneKnowsThisScheme")
        #expect(!auth.isDigest)
        #expect(auth.parameters == [.init(name: "opaque-data", value: "here")])
        #expect(auth["opaque-data"] == "here")
    }

    @Test("a scheme alone has no parameters")
    func schemeAlone() throws {
        let auth = try SIPAuthorization(parsing: "Digest")
        #expect(auth.parameters.isEmpty)
    }

    @Test("malformed values are refused", arguments: [
        ("", "empty"),
        ("Digest realm", "missing '='"),
        ("Digest realm=\"r\", nonce", "missing '=' on a later parameter"),
        ("Digest realm=", "empty value"),
        ("Digest realm=\"r\" garbage", "trailing garbage"),
        ("Digest realm=\"r\" nonce=\"n\"", "missing comma"),
        ("Digest realm=\"r\", , nonce=\"n\"", "empty parameter between commas"),
        ("Digest realm=\"unterminated", "unterminated quoted value"),
        ("Digest realm=\"r\"x", "junk after a quoted value"),
        ("Digest realm=a b", "space inside a token value"),
        ("Digest ,realm=\"r\"", "leading comma"),
        ("Digest =\"r\"", "missing parameter name"),
        ("\"Digest\" realm=\"r\"", "quoted scheme"),
        ("Digest realm=\"r\"; nonce=\"n\"", "';' as separator"),
    ])
    func refusals(text: String, why: String) {
        let error = #expect(throws: SIPParseError.self, "\(why)") { try SIPAuthorization(parsing: text) }
        #expect(error?.header == .authorization)
    }

    @Test("description writes the parameters back as parsed")
    func descriptionRoundTrips() throws {
        let auth = try SIPAuthorization(parsing: "Digest username=\"bob\", realm=\"biloxi.com\", qop=auth, nc=00000001")
        #expect(auth.description == "Digest username=\"bob\", realm=\"biloxi.com\", qop=auth, nc=00000001")
        #expect(try SIPAuthorization(parsing: auth.description) == auth)
    }

    @Test("a built challenge writes quoted realm, nonce, opaque and qop")
    func builtChallenge() throws {
        let challenge = SIPAuthorization.digestChallenge(
            realm: "atlanta.example.com", nonce: "abc", algorithm: .sha256, qop: "auth", opaque: "o\"q", stale: true)
        #expect(challenge.description
            == #"Digest realm="atlanta.example.com", nonce="abc", opaque="o\"q", stale=TRUE, algorithm=SHA-256, qop="auth""#)
        let parsed = try SIPAuthorization(parsing: challenge.description, header: .wwwAuthenticate)
        #expect(parsed == challenge)
        #expect(parsed.opaque == "o\"q")
        #expect(parsed.stale)
    }

    static let register = """
        REGISTER sip:biloxi.com SIP/2.0\r
        Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\r
        Max-Forwards: 70\r
        To: Bob <sip:bob@biloxi.com>\r
        From: Bob <sip:bob@biloxi.com>;tag=456248\r
        Call-ID: 843817637684230@998sdasdh09\r
        CSeq: 1826 REGISTER\r
        Contact: <sip:bob@192.0.2.4>\r
        Authorization: Digest username="bob", realm="biloxi.com",\r
         nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:biloxi.com",\r
         qop=auth, nc=00000001, cnonce="0a4f113b",\r
         response="9e2d1006810044fd79f39476209ae31a", opaque=""\r
        Authorization: NoOneKnowsThisScheme opaque-data=here\r
        Proxy-Authorization: Digest username="bob", realm="proxy.biloxi.com", nonce="x", uri="sip:biloxi.com", response="00"\r
        Expires: 7200\r
        Content-Length: 0\r
        \r

        """

    // The response above was computed independently (hashlib) for password "zanzibar".
    @Test("a parsed REGISTER's Authorization values are read, folds and all, and verify")
    func registerAuthorizations() throws {
        let message = try SIPMessage(parsing: Self.register)
        let authorizations = try message.authorizations()
        #expect(authorizations.count == 2)
        let digest = authorizations[0]
        #expect(digest.username == "bob")
        #expect(digest.uri == "sip:biloxi.com")
        #expect(digest.opaque == "")
        #expect(authorizations[1].scheme == "NoOneKnowsThisScheme")
        try SIPDigest.verify(digest, method: "REGISTER", password: "zanzibar",
                             expectedRealm: "biloxi.com", expectedNonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        try SIPDigest.verify(digest, method: "REGISTER", ha1: "12af60467a33e8518da5c68bbff12b11")
        #expect(throws: SIPDigest.VerificationError.wrongResponse) {
            try SIPDigest.verify(digest, method: "REGISTER", password: "zanzibaR")
        }
        let proxy = try message.proxyAuthorizations()
        #expect(proxy.map(\.realm) == ["proxy.biloxi.com"])
    }

    @Test("a malformed Authorization in a message is reported with its header")
    func messageAuthorizationError() throws {
        let message = try SIPMessage(parsing: "REGISTER sip:biloxi.com SIP/2.0\r\nAuthorization: Digest realm\r\n\r\n")
        let error = #expect(throws: SIPParseError.self) { try message.authorizations() }
        #expect(error?.header == .authorization)
        #expect(try message.proxyAuthorizations().isEmpty)
    }

    @Test("a response's WWW-Authenticate challenges are read and answerable")
    func wwwAuthenticate() throws {
        let response = try SIPMessage(parsing: """
            SIP/2.0 401 Unauthorized\r
            WWW-Authenticate: Digest realm="atlanta.example.com", qop="auth",\r
             nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="", stale=FALSE, algorithm=MD5\r
            Content-Length: 0\r
            \r

            """)
        let challenges = try response.wwwAuthenticates()
        #expect(challenges.count == 1)
        let challenge = try #require(challenges.first)
        #expect(!challenge.stale)
        let credentials = try SIPDigest.credentials(
            answering: challenge, method: "INVITE", uri: "sip:bob@biloxi.example.com", username: "alice",
            password: "pw", cnonce: "x")
        #expect(credentials.opaque == "")
        try SIPDigest.verify(credentials, method: "INVITE", password: "pw", expectedNonce: "ea9c8e88df84f1cec4341ae6cbe5a359")
    }
}
