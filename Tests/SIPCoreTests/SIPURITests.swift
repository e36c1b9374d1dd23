import Testing

@testable import SIPCore

@Suite("SIP URI parsing, escaping and equivalence")
struct SIPURITests {
    // MARK: - Schemes

    @Test("the scheme is recognised case-insensitively", arguments: [
        ("sip:alice@atlanta.com", SIPURI.Scheme.sip),
        ("SIP:alice@atlanta.com", .sip),
        ("sips:alice@atlanta.com", .sips),
        ("SiPs:alice@atlanta.com", .sips),
        ("tel:+1-201-555-0123", .tel),
        ("TEL:+1-201-555-0123", .tel),
        ("mailto:alice@atlanta.com", .other("mailto")),
        ("URN:service:sos", .other("urn")),
    ])
    func scheme(text: String, scheme: SIPURI.Scheme) throws {
        let uri = try SIPURI(parsing: text)
        #expect(uri.scheme == scheme)
        #expect(uri.isSIP == (scheme == .sip || scheme == .sips))
    }

    @Test("a URI of another scheme keeps everything after the scheme as opaque text")
    func otherSchemeIsOpaque() throws {
        let uri = try SIPURI(parsing: "http://www.example.com/a?b=c#d")
        #expect(uri.scheme == .other("http"))
        #expect(uri.opaque == "//www.example.com/a?b=c#d")
        #expect(uri.host == "")
        #expect(uri.user == nil)
        #expect(uri.description == "http://www.example.com/a?b=c#d")
    }

    @Test("a tel URI keeps the number as the user part and its parameters")
    func telURI() throws {
        let uri = try SIPURI(parsing: "tel:+1-201-555-0123;phone-context=example.com;ext=22")
        #expect(uri.scheme == .tel)
        #expect(uri.user == "+1-201-555-0123")
        #expect(uri.host == "")
        #expect(uri.parameters.unquotedValue("phone-context") == "example.com")
        #expect(uri.parameters.unquotedValue("ext") == "22")
        #expect(uri.description == "tel:+1-201-555-0123;phone-context=example.com;ext=22")
    }

    // MARK: - Components

    @Test("user, password, host and port are split out as written", arguments: [
        ("sip:alice@atlanta.com", "alice", nil, "atlanta.com", nil),
        ("sip:alice:secretword@atlanta.com;transport=tcp", "alice", "secretword", "atlanta.com", nil),
        ("sips:alice@atlanta.com?subject=project%20x&priority=urgent", "alice", nil, "atlanta.com", nil),
        ("sip:+1-212-555-1212:1234@gateway.com;user=phone", "+1-212-555-1212", "1234", "gateway.com", nil),
        ("sips:1212@gateway.com", "1212", nil, "gateway.com", nil),
        ("sip:alice@192.0.2.4", "alice", nil, "192.0.2.4", nil),
        ("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", nil, nil, "atlanta.com", nil),
        ("sip:alice;day=tuesday@atlanta.com", "alice;day=tuesday", nil, "atlanta.com", nil),
        ("sip:alice@atlanta.com:5060", "alice", nil, "atlanta.com", 5060),
        ("sip:%61lice@atlanta.com:0", "%61lice", nil, "atlanta.com", 0),
        ("sip:alice:@atlanta.com", "alice", "", "atlanta.com", nil),
        ("sip:host.example.com.", nil, nil, "host.example.com.", nil),
    ] as [(String, String?, String?, String, UInt16?)])
    func components(text: String, user: String?, password: String?, host: String, port: UInt16?) throws {
        let uri = try SIPURI(parsing: text)
        #expect(uri.user == user)
        #expect(uri.password == password)
        #expect(uri.host == host)
        #expect(uri.port == port)
    }

    @Test("the host kind tells a name, an IPv4 address and an IPv6 reference apart", arguments: [
        ("sip:alice@atlanta.com", SIPURI.HostKind.name, "atlanta.com"),
        ("sip:alice@AtLanTa.CoM", .name, "atlanta.com"),
        ("sip:alice@192.0.2.4", .ipv4, "192.0.2.4"),
        ("sip:alice@192.0.2.256", .name, "192.0.2.256"),
        ("sip:alice@[2001:db8::10]", .ipv6, "2001:db8::10"),
        ("sip:alice@[2001:DB8::10]:5070", .ipv6, "2001:db8::10"),
        ("sip:[::1]", .ipv6, "::1"),
        ("sip:user@[::ffff:192.0.2.10]", .ipv6, "::ffff:192.0.2.10"),
        ("sip:user@[2001:db8::192.0.2.1]", .ipv6, "2001:db8::192.0.2.1"),
        ("sip:user@[2001:db8:0:0:0:0:0:10]", .ipv6, "2001:db8:0:0:0:0:0:10"),
    ])
    func hostKinds(text: String, kind: SIPURI.HostKind, address: String) throws {
        let uri = try SIPURI(parsing: text)
        #expect(uri.hostKind == kind)
        #expect(uri.hostAddress == address)
    }

    @Test("an IPv6 reference keeps its brackets and a port after ']' is the port (RFC 5118 §4.3)")
    func ipv6Port() throws {
        let withPort = try SIPURI(parsing: "sip:user@[2001:db8::10]:5070")
        #expect(withPort.host == "[2001:db8::10]")
        #expect(withPort.port == 5070)
        #expect(withPort.hostPort == "[2001:db8::10]:5070")
        // Inside the brackets ":5070" is part of the address, not a port.
        let inside = try SIPURI(parsing: "sip:user@[2001:db8::10:5070]")
        #expect(inside.host == "[2001:db8::10:5070]")
        #expect(inside.port == nil)
    }

    @Test("ports from 0 to 65535 are accepted", arguments: [0, 1, 5060, 5061, 65534, 65535])
    func portBounds(port: Int) throws {
        let uri = try SIPURI(parsing: "sip:alice@atlanta.com:\(port)")
        #expect(uri.port.map(Int.init) == port)
        let v6 = try SIPURI(parsing: "sip:alice@[2001:db8::1]:\(port)")
        #expect(v6.port.map(Int.init) == port)
    }

    @Test("a port above 65535 or with non-digits is refused", arguments: [
        "sip:alice@atlanta.com:65536",
        "sip:alice@atlanta.com:99999",
        "sip:alice@atlanta.com:1234567",
        "sip:alice@atlanta.com:",
        "sip:alice@atlanta.com:50a0",
        "sip:alice@atlanta.com:abc",
        "sip:alice@atlanta.com:-1",
        "sip:alice@atlanta.com:+5060",
        "sip:alice@atlanta.com:5060:5060",
        "sip:alice@[2001:db8::1]:65536",
        "sip:alice@[2001:db8::1]:x",
    ])
    func badPorts(text: String) {
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: text) }
    }

    @Test("URI parameters are kept in order, flags without a value")
    func parameters() throws {
        let uri = try SIPURI(parsing: "sip:proxy.example.com;lr;transport=TCP;maddr=239.255.255.1;ttl=15;x-flag")
        #expect(uri.parameters.elements.map(\.name) == ["lr", "transport", "maddr", "ttl", "x-flag"])
        #expect(uri.isLooseRouter)
        #expect(uri.transport == "tcp")
        #expect(uri.parameters["lr"] == .some(nil))
        #expect(uri.parameters["x-flag"] == .some(nil))
        #expect(uri.parameters["maddr"] == .some("239.255.255.1"))
        #expect(uri.parameters["TTL"] == .some("15"))
        #expect(uri.parameters["absent"] == nil)
    }

    @Test("without lr or transport the URI says so")
    func noLooseRouterNoTransport() throws {
        let uri = try SIPURI(parsing: "sip:proxy.example.com;lrx;x-transport=tcp")
        #expect(!uri.isLooseRouter)
        #expect(uri.transport == nil)
    }

    @Test("URI headers are split at '&' into name and value, escapes kept")
    func headers() throws {
        let uri = try SIPURI(parsing: "sip:alice@atlanta.com?a=b&c=d&subject=project%20x&empty=")
        #expect(uri.headers == [
            .init(name: "a", value: "b"), .init(name: "c", value: "d"),
            .init(name: "subject", value: "project%20x"), .init(name: "empty", value: ""),
        ])
        #expect(SIPURI.unescape(uri.headers[2].value) == "project x")
    }

    @Test("parameters before headers are both read")
    func parametersThenHeaders() throws {
        let uri = try SIPURI(parsing: "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com")
        #expect(uri.user == nil)
        #expect(uri.host == "biloxi.com")
        #expect(uri.parameters.unquotedValue("method") == "REGISTER")
        #expect(uri.headers == [.init(name: "to", value: "sip:bob%40biloxi.com")])
    }

    @Test("well-formed escapes are accepted and kept as written", arguments: [
        ("sip:%41lice@atlanta.com", "%41lice", "Alice"),
        ("sip:%61lice@atlanta.com", "%61lice", "alice"),
        ("sip:al%69ce@atlanta.com", "al%69ce", "alice"),
        ("sip:a%2541@atlanta.com", "a%2541", "a%41"),
        ("sip:a%40b@atlanta.com", "a%40b", "a@b"),
        ("sip:%e2%82%ac@atlanta.com", "%e2%82%ac", "€"),
    ])
    func escapesAccepted(text: String, user: String, unescaped: String) throws {
        let uri = try SIPURI(parsing: text)
        #expect(uri.user == user)
        #expect(uri.unescapedUser == unescaped)
        #expect(uri.description == text)
    }

    @Test("'%' not followed by two hex digits is refused in every component", arguments: [
        "sip:%4@atlanta.com",
        "sip:%zz@atlanta.com",
        "sip:a%4g@atlanta.com",
        "sip:alice:pa%2@atlanta.com",
        "sip:alice@atlanta.com;x=%4",
        "sip:alice@atlanta.com;x=%zz",
        "sip:alice@atlanta.com;%g1=y",
        "sip:alice@atlanta.com;x=a%",
        "sip:alice@atlanta.com?h=%4",
        "sip:alice@atlanta.com?h=%zz",
        "sip:alice@atlanta.com?%qq=v",
        "sip:alice@atlanta.com?h=v%",
    ])
    func badEscapes(text: String) {
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: text) }
    }

    // MARK: - Refusals

    @Test("malformed URIs are refused", arguments: [
        ("", "empty"),
        ("alice@atlanta.com", "missing scheme"),
        (":alice@atlanta.com", "scheme missing before ':'"),
        ("1sip:alice@atlanta.com", "scheme must start with a letter"),
        ("sip", "no ':' after the scheme"),
        ("sip:", "nothing after the scheme"),
        ("sip:alice@", "empty host"),
        ("sip:@atlanta.com", "empty user"),
        ("sip:;transport=tcp", "empty host before parameters"),
        ("sip::5060", "empty host before port"),
        ("sip:alice@atlanta.com;", "empty parameter"),
        ("sip:alice@atlanta.com;;lr", "empty parameter between ';;'"),
        ("sip:alice@atlanta.com;transport=", "empty parameter value"),
        ("sip:alice@atlanta.com?", "empty header"),
        ("sip:alice@atlanta.com?subject", "header without '='"),
        ("sip:alice@atlanta.com?=x", "header without a name"),
        ("sip:alice@atlanta.com?a=b&", "empty header after '&'"),
        ("sip:alice @atlanta.com", "space in the user part"),
        ("sip:alice@atlanta .com", "space in the host"),
        ("sip: alice@atlanta.com", "space after the scheme"),
        ("sip:alice@atlanta.com ", "trailing space"),
        ("sip:alice@atlanta.com;transport=tcp ;lr", "space between parameters"),
        ("sip:alice@atlanta.com?subject=project x", "space in a header"),
        ("sip:2001:db8::10", "unbracketed IPv6 address (RFC 5118 §4.2)"),
        ("sip:user@2001:db8::10", "unbracketed IPv6 address after the user (RFC 5118 §4.2)"),
        ("sip:[2001:db8::10", "unterminated '['"),
        ("sip:user@[2001:db8::10;lr", "unterminated '[' before parameters"),
        ("sip:[]", "empty IPv6 reference"),
        ("sip:[2001]", "IPv6 reference without colons"),
        ("sip:[2001:db8::g]", "non-hex digit in an IPv6 reference"),
        ("sip:user@[2001:db8::10]x", "junk after ']'"),
        ("sip:alice@-atlanta.com", "host label starting with '-'"),
        ("sip:alice@atlanta-.com", "host label ending with '-'"),
        ("sip:alice@atlanta..com", "empty host label"),
        ("sip:alice@.atlanta.com", "host starting with '.'"),
        ("sip:alice@atlanta_com", "'_' in the host"),
        ("sip:al<ice@atlanta.com", "'<' in the user part"),
        ("sip:alice:pass:word@atlanta.com", "second ':' in the user-info"),
        ("sip:alice@atlanta.com>", "'>' after the URI"),
        ("sip:alice\u{0}@atlanta.com", "NUL in the user part"),
        ("tel:", "empty telephone number"),
        ("tel:;ext=1", "tel without a number"),
        ("tel:+1 201 555", "space in a telephone number"),
        ("tel:+1-201-555-0123;", "empty tel parameter"),
        ("mailto:alice @atlanta.com", "space in an opaque URI"),
        ("mailto:alice\u{7F}", "DEL in an opaque URI"),
        ("mailto:", "empty opaque URI"),
    ])
    func refusals(text: String, why: String) {
        #expect(throws: SIPParseError.self, "\(why)") { try SIPURI(parsing: text) }
    }

    @Test("a refusal is reported as a malformed URI with the offending byte offset")
    func refusalReasonAndOffset() {
        let port = #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:alice@atlanta.com:65536") }
        #expect(port?.rule == "malformed-uri")
        #expect(port?.offset == 22)
        let space = #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:al ice@atlanta.com") }
        #expect(space?.rule == "malformed-uri")
        #expect(space?.offset == 6)
    }

    // MARK: - Description

    @Test("description gives back the text that was parsed", arguments: [
        "sip:alice@atlanta.com",
        "sips:alice:secretword@atlanta.com:5061;transport=tls",
        "sip:+1-212-555-1212:1234@gateway.com;user=phone",
        "sip:alice@[2001:db8::10]:5070;lr;maddr=[2001:db8::1]",
        "sip:[::ffff:192.0.2.10]",
        "sip:%61lice@AtLanTa.CoM;Transport=TCP",
        "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
        "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
        "sip:alice@atlanta.com?a=&b=c",
        "sip:p1.example.com;lr",
        "sip:alice@192.0.2.4:0",
        "tel:+358-555-1234567;postd=pp22",
        "mailto:alice@atlanta.com",
        "urn:service:sos",
    ])
    func descriptionRoundTrips(text: String) throws {
        let uri = try SIPURI(parsing: text)
        #expect(uri.description == text)
        let again = try SIPURI(parsing: uri.description)
        #expect(again == uri)
    }

    @Test("a URI built from parts writes the wire form")
    func builtFromParts() throws {
        var parameters = SIPParameters()
        parameters.append("transport", "tcp")
        parameters.append("lr", nil)
        let uri = SIPURI(scheme: .sips, user: "bob", host: "[2001:db8::1]", port: 5061, parameters: parameters,
                         headers: [.init(name: "Subject", value: "hi%20there")])
        #expect(uri.description == "sips:bob@[2001:db8::1]:5061;transport=tcp;lr?Subject=hi%20there")
        #expect(try SIPURI(parsing: uri.description) == uri)
    }

    // MARK: - Escaping

    @Test("unescape decodes each escape exactly once", arguments: [
        ("%2541", "%41"),
        ("%41", "A"),
        ("%61lice", "alice"),
        ("project%20x", "project x"),
        ("%25", "%"),
        ("%252525", "%2525"),
        ("100%", "100%"),
        ("%4", "%4"),
        ("%zz", "%zz"),
        ("%4g", "%4g"),
        ("a%", "a%"),
        ("plain", "plain"),
        ("", ""),
        ("%C3%A9", "é"),
        ("%c3%a9", "é"),
    ])
    func unescapeOnce(text: String, expected: String) {
        #expect(SIPURI.unescape(text) == expected)
    }

    @Test("unescape keeps %00 as a NUL character instead of ending the string")
    func unescapeNul() {
        let decoded = SIPURI.unescape("a%00b")
        #expect(Array(decoded.utf8) == [0x61, 0x00, 0x62])
        #expect(decoded.unicodeScalars.count == 3)
        #expect(decoded != "a")
        #expect(decoded != "ab")
    }

    @Test("escape escapes exactly the bytes the component does not allow", arguments: [
        ("alice", SIPURI.Component.user, "alice"),
        ("alice@home", .user, "alice%40home"),
        ("a:b", .user, "a%3Ab"),
        ("a b", .user, "a%20b"),
        ("100%", .user, "100%25"),
        ("+1;x=y?z/w&$,", .user, "+1;x=y?z/w&$,"),
        ("p;w", .password, "p%3Bw"),
        ("p&=+$,w", .password, "p&=+$,w"),
        ("p:w", .password, "p%3Aw"),
        ("a b", .parameter, "a%20b"),
        ("a;b=c", .parameter, "a%3Bb%3Dc"),
        ("[::1]:5060/x&+$", .parameter, "[::1]:5060/x&+$"),
        ("50%", .parameter, "50%25"),
        ("project x", .header, "project%20x"),
        ("sip:bob@biloxi.com", .header, "sip:bob%40biloxi.com"),
        ("a&b=c", .header, "a%26b%3Dc"),
        ("é", .header, "%C3%A9"),
        ("\u{0}", .user, "%00"),
    ])
    func escapeComponent(text: String, component: SIPURI.Component, expected: String) {
        #expect(SIPURI.escape(text, for: component) == expected)
        #expect(SIPURI.unescape(expected) == text)
    }

    @Test("an escaped user part parses and decodes back to the original", arguments: [
        "alice@home", "a b:c", "100% sure", "Zoë", "\"quoted\"<>",
    ])
    func escapedUserRoundTrips(user: String) throws {
        let uri = try SIPURI(parsing: "sip:\(SIPURI.escape(user, for: .user))@atlanta.com")
        #expect(uri.unescapedUser == user)
        #expect(uri.host == "atlanta.com")
    }

    // MARK: - Equivalence (RFC 3261 §19.1.4)

    @Test("the RFC 3261 §19.1.4 equivalent URIs are equivalent, both ways", arguments: [
        ("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"),
        ("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"),
        ("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
         "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"),
        ("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
         "sip:alice@atlanta.com?priority=urgent&subject=project%20x"),
    ])
    func rfcEquivalent(lhs: String, rhs: String) throws {
        let a = try SIPURI(parsing: lhs)
        let b = try SIPURI(parsing: rhs)
        #expect(a.isEquivalent(to: b))
        #expect(b.isEquivalent(to: a))
    }

    @Test("the RFC 3261 §19.1.4 non-equivalent URIs are not equivalent, both ways", arguments: [
        ("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"),
        ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
        ("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"),
        ("sip:alice@atlanta.com", "sips:alice@atlanta.com"),
    ])
    func rfcNotEquivalent(lhs: String, rhs: String) throws {
        let a = try SIPURI(parsing: lhs)
        let b = try SIPURI(parsing: rhs)
        #expect(!a.isEquivalent(to: b))
        #expect(!b.isEquivalent(to: a))
    }

    @Test("the other equivalence rules hold", arguments: [
        // Every URI is equivalent to itself.
        ("sip:alice:pw@atlanta.com:5060;transport=tcp;lr?subject=x", "sip:alice:pw@atlanta.com:5060;transport=tcp;lr?subject=x", true),
        // Host comparison ignores case, also in IPv6 references.
        ("sip:alice@[2001:DB8::10]", "sip:alice@[2001:db8::10]", true),
        // Passwords compare case-sensitively, after unescaping.
        ("sip:alice:PW@atlanta.com", "sip:alice:pw@atlanta.com", false),
        ("sip:alice:%70w@atlanta.com", "sip:alice:pw@atlanta.com", true),
        ("sip:alice:pw@atlanta.com", "sip:alice@atlanta.com", false),
        // A URI without a user part never equals one with a user part.
        ("sip:atlanta.com", "sip:alice@atlanta.com", false),
        // user, ttl, method and maddr must match when either URI has them.
        ("sip:1234@gw.com;user=phone", "sip:1234@gw.com", false),
        ("sip:a@h;ttl=1", "sip:a@h", false),
        ("sip:a@h;method=INVITE", "sip:a@h", false),
        ("sip:a@h;maddr=239.255.255.1", "sip:a@h", false),
        ("sip:a@h;maddr=239.255.255.1", "sip:a@h;MADDR=239.255.255.1", true),
        // Parameter values compare case-insensitively after unescaping.
        ("sip:a@h;x=%41b", "sip:a@h;x=ab", true),
        // Header names are case-insensitive; values must match after unescaping.
        ("sip:a@h?Subject=x", "sip:a@h?subject=x", true),
        ("sip:a@h?subject=project%20x", "sip:a@h?subject=proj%65ct%20x", true),
        ("sip:a@h?subject=a", "sip:a@h?subject=b", false),
        ("sip:a@h?subject=a&subject=a", "sip:a@h?subject=a&priority=b", false),
        ("sip:a@h?x=1&x=1&y=2", "sip:a@h?x=1&y=2&y=2", false),
        ("sip:a@h?x=1&y=2&x=1", "sip:a@h?x=1&x=1&y=2", true),
        // Ports compare as numbers.
        ("sip:a@h:5060", "sip:a@h:05060", true),
        // Other schemes compare by text.
        ("mailto:alice@atlanta.com", "MAILTO:alice@atlanta.com", true),
        ("mailto:alice@atlanta.com", "mailto:bob@atlanta.com", false),
        // tel numbers ignore visual separators.
        ("tel:+1-201-555-0123", "tel:+12015550123", true),
        ("tel:+1-201-555-0123", "tel:+12015550124", false),
        ("tel:+1-201-555-0123", "sip:+1-201-555-0123@gw.com", false),
    ])
    func otherEquivalenceRules(lhs: String, rhs: String, equivalent: Bool) throws {
        let a = try SIPURI(parsing: lhs)
        let b = try SIPURI(parsing: rhs)
        #expect(a.isEquivalent(to: b) == equivalent)
        #expect(b.isEquivalent(to: a) == equivalent)
    }
}

