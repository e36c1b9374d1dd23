import Testing

@testable import SIPCore

/// A request carrying `headers` (each a full `Name: value` line), for the typed views that read a message.
private func request(_ headers: String...) throws -> SIPMessage {
    try SIPMessage(parsing: "OPTIONS sip:bob@biloxi.com SIP/2.0\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
}

@Suite("Via header values")
struct SIPViaTests {
    @Test("protocol, transport, sent-by and parameters are read", arguments: [
        ("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds", "UDP", "pc33.atlanta.com", nil),
        ("SIP/2.0/udp pc33.atlanta.com:5060;branch=z9hG4bK776asdhds", "UDP", "pc33.atlanta.com", 5060),
        ("SIP/2.0/tcp 192.0.2.4:0;branch=z9hG4bK1", "TCP", "192.0.2.4", 0),
        ("SIP/2.0/Tls client.example.com:65535;branch=z9hG4bK1", "TLS", "client.example.com", 65535),
        ("SIP/2.0/SCTP sctp.example.com;branch=z9hG4bK1", "SCTP", "sctp.example.com", nil),
        ("SIP/2.0/ws df7jal23ls0d.invalid;branch=z9hG4bK1", "WS", "df7jal23ls0d.invalid", nil),
        ("SIP/2.0/x-new-transport h.example.com;branch=z9hG4bK1", "X-NEW-TRANSPORT", "h.example.com", nil),
        ("SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKas3-111", "UDP", "[2001:db8::9:1]", 5060),
        ("SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111", "UDP", "[2001:db8::9:1]", nil),
        ("SIP/2.0/TCP [::ffff:192.0.2.10]:5061;branch=z9hG4bK1", "TCP", "[::ffff:192.0.2.10]", 5061),
    ] as [(String, String, String, UInt16?)])
    func sentBy(text: String, transport: String, host: String, port: UInt16?) throws {
        let via = try SIPVia(parsing: text)
        #expect(via.protocolName == "SIP")
        #expect(via.protocolVersion == "2.0")
        #expect(via.transport == transport)
        #expect(via.host == host)
        #expect(via.port == port)
        #expect(via.sentBy == (port.map { "\(host):\($0)" } ?? host))
    }

    @Test("white space is allowed around '/' and ':' and before ';'", arguments: [
        "SIP / 2.0 / UDP first.example.com: 4000;ttl=16 ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1",
        "SIP/2.0/UDP   first.example.com :4000 ; ttl = 16;maddr=224.2.0.1;branch=z9hG4bKa7c6a8dlze.1",
        "  SIP\t/\t2.0\t/\tudp\tfirst.example.com:4000;ttl=16;maddr=224.2.0.1;branch=z9hG4bKa7c6a8dlze.1  ",
        "SIP/2.0/UDP\r\n first.example.com:4000;ttl=16;maddr=224.2.0.1;branch=z9hG4bKa7c6a8dlze.1",
    ])
    func linearWhiteSpace(text: String) throws {
        let via = try SIPVia(parsing: text)
        #expect(via.transport == "UDP")
        #expect(via.host == "first.example.com")
        #expect(via.port == 4000)
        #expect(via.ttl == 16)
        #expect(via.maddr == "224.2.0.1")
        #expect(via.branch == "z9hG4bKa7c6a8dlze.1")
    }

    @Test("branch, received, maddr and ttl are read")
    func namedParameters() throws {
        let via = try SIPVia(parsing: "SIP/2.0/UDP bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2;maddr=239.255.255.1;ttl=255")
        #expect(via.branch == "z9hG4bK77ef4c2312983.1")
        #expect(via.received == "192.0.2.2")
        #expect(via.maddr == "239.255.255.1")
        #expect(via.ttl == 255)
        #expect(via.rport == .absent)
    }

    @Test("received may be an IPv6 address with or without brackets (RFC 5118 §4.5)", arguments: [
        ("SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111;received=[2001:db8::9:255]", "[2001:db8::9:255]"),
        ("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3", "2001:db8::9:255"),
    ])
    func ipv6Received(text: String, received: String) throws {
        let via = try SIPVia(parsing: text)
        #expect(via.received == received)
        #expect(via.host == "[2001:db8::9:1]")
    }

    @Test("rport is absent, requested or carries the port (RFC 3581)", arguments: [
        ("SIP/2.0/UDP h;branch=z9hG4bK1", SIPVia.RPort.absent),
        ("SIP/2.0/UDP h;branch=z9hG4bK1;rport", .requested),
        ("SIP/2.0/UDP h;rport;branch=z9hG4bK1", .requested),
        ("SIP/2.0/UDP h;branch=z9hG4bK1;rport=5061;received=192.0.2.1", .value(5061)),
        ("SIP/2.0/UDP h;branch=z9hG4bK1;RPORT=0", .value(0)),
        ("SIP/2.0/UDP h;branch=z9hG4bK1;rport=65535", .value(65535)),
    ])
    func rport(text: String, rport: SIPVia.RPort) throws {
        #expect(try SIPVia(parsing: text).rport == rport)
    }

    @Test("setting rport, branch and received edits the parameters")
    func settersEditParameters() throws {
        var via = try SIPVia(parsing: "SIP/2.0/UDP client.example.com;rport;branch=z9hG4bKold")
        via.rport = .value(5062)
        via.received = "192.0.2.9"
        via.branch = "z9hG4bKnew"
        #expect(via.description == "SIP/2.0/UDP client.example.com;rport=5062;branch=z9hG4bKnew;received=192.0.2.9")
        via.rport = .requested
        #expect(via.parameters["rport"] == .some(nil))
        via.rport = .absent
        via.received = nil
        via.branch = nil
        #expect(via.parameters.isEmpty)
        #expect(via.rport == .absent)
        #expect(via.branch == nil)
    }

    @Test("ttl from 0 to 255 is accepted", arguments: [0, 1, 16, 254, 255])
    func ttlBounds(ttl: Int) throws {
        let via = try SIPVia(parsing: "SIP/2.0/UDP h;ttl=\(ttl);maddr=224.2.0.1;branch=z9hG4bK1")
        #expect(via.ttl.map(Int.init) == ttl)
    }

    @Test("malformed Via values are refused", arguments: [
        ("", "empty"),
        ("SIP/2.0/UDP", "missing sent-by"),
        ("SIP/2.0/UDP ", "missing sent-by after white space"),
        ("SIP/2.0/UDP ;branch=z9hG4bK1", "missing sent-by before parameters"),
        ("SIP/2.0/UDPhost.example.com", "no white space before sent-by"),
        ("SIP/2.0 host.example.com", "missing transport"),
        ("SIP/2.0/ host.example.com", "empty transport"),
        ("SIP//UDP host.example.com", "empty version"),
        ("/2.0/UDP host.example.com", "empty protocol name"),
        ("SIP/2.0/UDP host.example.com:", "empty port"),
        ("SIP/2.0/UDP host.example.com:65536", "port above 65535"),
        ("SIP/2.0/UDP host.example.com:5o60", "letter in the port"),
        ("SIP/2.0/UDP host.example.com:-1", "negative port"),
        ("SIP/2.0/UDP host.example.com:1234567", "seven-digit port"),
        ("SIP/2.0/UDP host.example.com;;branch=z9hG4bK1", "empty parameter ';;'"),
        ("SIP/2.0/UDP host.example.com;branch=z9hG4bK1;", "trailing ';'"),
        ("SIP/2.0/UDP host.example.com;ttl=256", "ttl 256"),
        ("SIP/2.0/UDP host.example.com;ttl=-1", "negative ttl"),
        ("SIP/2.0/UDP host.example.com;ttl=abc", "ttl not a number"),
        ("SIP/2.0/UDP host.example.com;ttl", "ttl without a value"),
        ("SIP/2.0/UDP host.example.com;branch", "branch without a value"),
        ("SIP/2.0/UDP host.example.com;branch=", "branch with an empty value"),
        ("SIP/2.0/UDP host.example.com;rport=65536", "rport above 65535"),
        ("SIP/2.0/UDP host.example.com;rport=abc", "rport not a number"),
        ("SIP/2.0/UDP host.example.com extra", "junk after sent-by"),
        ("SIP/2.0/UDP host.example.com;branch=z9hG4bK1 extra", "junk after the parameters"),
        ("SIP/2.0/UDP -host.example.com", "host starting with '-'"),
        ("SIP/2.0/UDP host..example.com", "empty host label"),
        ("SIP/2.0/UDP [2001:db8::1", "unterminated IPv6 reference"),
        ("SIP/2.0/UDP [2001:db8::g]", "non-hex digit in an IPv6 reference"),
        ("SIP/2.0/UDP []", "empty IPv6 reference"),
        ("SIP/2.0/UDP [[2001:db8::1]", "doubled '['"),
        ("SIP/2.0/UDP [2001]", "IPv6 reference without colons"),
        ("SIP/2.0/UDP 2001:db8::1", "unbracketed IPv6 address"),
        ("SIP/2.0/UDP host.example.com, SIP/2.0/UDP other.example.com", "two values in one parse"),
    ])
    func refusals(text: String, why: String) {
        let error = #expect(throws: SIPParseError.self, "\(why)") { try SIPVia(parsing: text) }
        #expect(error?.header == .via)
    }

    @Test("a branch is RFC 3261 style only when it starts with the magic cookie and has more", arguments: [
        ("SIP/2.0/UDP h;branch=z9hG4bK776asdhds", true),
        ("SIP/2.0/UDP h;branch=z9hG4bK-524287-1", true),
        ("SIP/2.0/UDP h;branch=z9hG4bK", false),
        ("SIP/2.0/UDP h;branch=776asdhds", false),
        ("SIP/2.0/UDP h;branch=xz9hG4bK776", false),
        ("SIP/2.0/UDP h;branch=z9hG4b", false),
        ("SIP/2.0/UDP h", false),
    ])
    func rfc3261Branch(text: String, expected: Bool) throws {
        #expect(try SIPVia(parsing: text).hasRFC3261Branch == expected)
    }

    @Test("description re-parses to an equal Via", arguments: [
        "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
        "SIP / 2.0 / udp  pc33.atlanta.com : 5060 ;branch=z9hG4bK776asdhds ;rport",
        "SIP/2.0/TCP [2001:db8::9:1]:5060;branch=z9hG4bKas3-111;received=[2001:db8::9:255];rport=5060",
        "SIP/2.0/UDP first.example.com:4000;ttl=16;maddr=224.2.0.1;branch=z9hG4bKa7c6a8dlze.1",
        "SIP/2.0/TLS h.example.com;branch=z9hG4bK1;x-comment=\"a quoted; value\"",
    ])
    func descriptionRoundTrips(text: String) throws {
        let via = try SIPVia(parsing: text)
        let again = try SIPVia(parsing: via.description)
        #expect(again == via)
        #expect(again.description == via.description)
    }

    @Test("a Via built from parts writes the wire form")
    func builtFromParts() throws {
        var via = SIPVia(transport: "tls", host: "proxy.example.com", port: 5061)
        via.branch = "z9hG4bKabc"
        via.rport = .requested
        #expect(via.description == "SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bKabc;rport")
        #expect(try SIPVia(parsing: via.description) == via)
    }

    @Test("a message's Via values are read in order, across fields and commas")
    func messageVias() throws {
        let message = try request(
            "Via: SIP/2.0/UDP first.example.com;branch=z9hG4bK1, SIP/2.0/TCP second.example.com:5060;branch=z9hG4bK2",
            "v: SIP/2.0/TLS third.example.com;branch=z9hG4bK3;received=192.0.2.3"
        )
        let vias = try message.vias()
        #expect(vias.map(\.host) == ["first.example.com", "second.example.com", "third.example.com"])
        #expect(vias.map(\.transport) == ["UDP", "TCP", "TLS"])
        #expect(try message.topVia()?.branch == "z9hG4bK1")
    }

    @Test("a malformed Via in a message is reported with the header and its offset in the message")
    func messageViaError() throws {
        let message = try request("Via: SIP/2.0/UDP h;ttl=300")
        let error = #expect(throws: SIPParseError.self) { try message.vias() }
        #expect(error?.header == .via)
        // The error points into the Via value, not at the start of the message.
        #expect((error?.offset ?? 0) > "OPTIONS sip:bob@biloxi.com SIP/2.0\r\nVia: ".utf8.count)
    }
}

@Suite("Name-address header values")
struct SIPNameAddressTests {
    @Test("display names are read from quoted strings, tokens, or are absent", arguments: [
        ("\"Alice A.\" <sip:alice@atlanta.com>", "Alice A."),
        ("\"Alice \\\"The Great\\\" A.\" <sip:alice@atlanta.com>", "Alice \"The Great\" A."),
        ("\"back\\\\slash\" <sip:alice@atlanta.com>", "back\\slash"),
        ("\"\" <sip:alice@atlanta.com>", ""),
        ("\"Doe, John\" <sip:alice@atlanta.com>", "Doe, John"),
        ("\"<sip:fake@evil.com>\" <sip:alice@atlanta.com>", "<sip:fake@evil.com>"),
        ("\"Alice\"<sip:alice@atlanta.com>", "Alice"),
        ("Alice <sip:alice@atlanta.com>", "Alice"),
        ("Bob Smith   <sip:alice@atlanta.com>", "Bob Smith"),
        ("  Anonymous <sip:alice@atlanta.com>", "Anonymous"),
        ("Bob<sip:alice@atlanta.com>", "Bob"),
        ("<sip:alice@atlanta.com>", nil),
        ("   <sip:alice@atlanta.com>", nil),
        ("sip:alice@atlanta.com", nil),
    ] as [(String, String?)])
    func displayNames(text: String, displayName: String?) throws {
        let address = try SIPNameAddress(parsing: text)
        #expect(address.displayName == displayName)
        #expect(address.uri.user == "alice")
        #expect(address.uri.host == "atlanta.com")
    }

    @Test("in the addr-spec form the parameters belong to the header, not the URI")
    func addrSpecParameters() throws {
        let address = try SIPNameAddress(parsing: "sip:bob@biloxi.com;tag=a6c85cf;expires=60")
        #expect(address.uri.description == "sip:bob@biloxi.com")
        #expect(address.uri.parameters.isEmpty)
        #expect(address.tag == "a6c85cf")
        #expect(address.parameters.unquotedValue("expires") == "60")
    }

    @Test("inside <> the URI keeps its own parameters; after > they are header parameters")
    func bracketedParameters() throws {
        let route = try SIPNameAddress(parsing: "<sip:p1.example.com;lr;transport=tcp>;x-flag;tag=1")
        #expect(route.uri.isLooseRouter)
        #expect(route.uri.transport == "tcp")
        #expect(route.uri.parameters.count == 2)
        #expect(route.parameters.elements.map(\.name) == ["x-flag", "tag"])
        #expect(route.tag == "1")
        let bare = try SIPNameAddress(parsing: "<sip:p1.example.com;lr>")
        #expect(bare.uri.isLooseRouter)
        #expect(bare.parameters.isEmpty)
        #expect(bare.tag == nil)
    }

    @Test("a URI with headers or escapes inside <> is kept whole")
    func bracketedHeaders() throws {
        let address = try SIPNameAddress(parsing: "<sip:alice@atlanta.com?subject=project%20x&priority=urgent>;tag=9")
        #expect(address.uri.headers.count == 2)
        #expect(address.tag == "9")
    }

    @Test("header parameter values may be quoted strings, with LWS around ';' and '='")
    func quotedHeaderParameter() throws {
        let address = try SIPNameAddress(parsing: "<sip:a@b.com> ; tag = 77 ; +sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"")
        #expect(address.tag == "77")
        #expect(address.parameters.unquotedValue("+sip.instance") == "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>")
    }

    @Test("tag can be read, set and removed")
    func tagAccess() throws {
        var address = try SIPNameAddress(parsing: "\"Bob\" <sip:bob@biloxi.com>")
        #expect(address.tag == nil)
        address.tag = "a6c85cf"
        #expect(address.tag == "a6c85cf")
        #expect(address.description == "\"Bob\" <sip:bob@biloxi.com>;tag=a6c85cf")
        address.tag = "replaced"
        #expect(address.parameters.count == 1)
        #expect(address.tag == "replaced")
        address.tag = nil
        #expect(address.tag == nil)
        #expect(address.description == "\"Bob\" <sip:bob@biloxi.com>")
    }

    @Test("description is always the name-addr form and re-parses equal", arguments: [
        "\"Alice \\\"The Great\\\" A.\" <sip:alice@atlanta.com>;tag=1928301774",
        "Bob Smith <sip:bob@biloxi.com;transport=tcp>",
        "sip:bob@biloxi.com;tag=a6c85cf",
        "<sip:p1.example.com;lr>",
        "<tel:+1-201-555-0123;phone-context=example.com>;tag=x",
        "\"back\\\\slash\" <sips:b@c.example.com:5061>",
    ])
    func descriptionRoundTrips(text: String) throws {
        let address = try SIPNameAddress(parsing: text)
        #expect(address.description.contains("<"))
        let again = try SIPNameAddress(parsing: address.description)
        #expect(again == address)
    }

    @Test("malformed addresses are refused", arguments: [
        ("", "empty"),
        ("\"Alice <sip:alice@atlanta.com>", "unterminated quoted display name"),
        ("\"Alice\" sip:alice@atlanta.com", "quoted display name without <>"),
        ("<sip:alice@atlanta.com", "missing '>'"),
        ("Alice <sip:alice@atlanta.com", "missing '>' after a token display name"),
        ("<sip:alice @atlanta.com>", "space inside <>"),
        ("< sip:alice@atlanta.com>", "space after '<'"),
        ("<sip:alice@atlanta.com >", "space before '>'"),
        ("<>", "empty URI"),
        ("Doe, John <sip:j@h.com>", "unquoted comma in the display name"),
        ("Alice (x) <sip:alice@atlanta.com>", "non-token characters in an unquoted display name"),
        ("sip:alice@atlanta.com?subject=x", "addr-spec with '?' outside <>"),
        ("sip:alice@atlanta.com,sip:bob@biloxi.com", "addr-spec with ',' outside <>"),
        ("<sip:alice@atlanta.com>;", "trailing ';'"),
        ("<sip:alice@atlanta.com>;tag=", "empty parameter value"),
        ("<sip:alice@atlanta.com>;;tag=1", "empty parameter"),
        ("<sip:alice@atlanta.com> junk", "junk after the address"),
        ("<sip:alice@atlanta.com>junk", "junk right after '>'"),
        ("<sip:alice@atlanta.com>;tag=1 junk", "junk after the parameters"),
        ("\"Alice\" <sip:alice@atlanta.com> <sip:bob@biloxi.com>", "two addresses"),
    ])
    func refusals(text: String, why: String) {
        #expect(throws: SIPParseError.self, "\(why)") { try SIPNameAddress(parsing: text) }
    }

    @Test("From and To of a message are read with their tags")
    func messageFromTo() throws {
        let message = try request(
            "From: \"Alice\" <sip:alice@atlanta.com>;tag=1928301774",
            "t: sip:bob@biloxi.com;tag=a6c85cf"
        )
        #expect(try message.from().displayName == "Alice")
        #expect(try message.from().tag == "1928301774")
        #expect(try message.to().uri.description == "sip:bob@biloxi.com")
        #expect(try message.to().tag == "a6c85cf")
    }

    @Test("a missing From or To is an error naming the header")
    func messageMissingFrom() throws {
        let message = try request("Call-ID: x")
        let from = #expect(throws: SIPParseError.self) { try message.from() }
        #expect(from?.header == .from)
        let to = #expect(throws: SIPParseError.self) { try message.to() }
        #expect(to?.header == .to)
    }

    @Test("Route values must be enclosed in <>")
    func routesNeedBrackets() throws {
        let good = try request("Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>")
        #expect(try good.routes().map(\.uri.host) == ["p1.example.com", "p2.example.com"])
        #expect(try good.routes().allSatisfy(\.uri.isLooseRouter))
        let bad = try request("Route: sip:p1.example.com;lr")
        #expect(throws: SIPParseError.self) { try bad.routes() }
    }
}

@Suite("Typed header views of a message")
struct SIPMessageTypedHeaderTests {
    // MARK: Contact

    @Test("Contact: * is the wildcard")
    func contactWildcard() throws {
        let message = try request("Contact: *", "Expires: 0")
        #expect(try message.contacts() == [.wildcard])
        #expect(try message.contacts().first?.address == nil)
        #expect(try message.contacts().first?.expires == nil)
        #expect(SIPContact.wildcard.description == "*")
    }

    @Test("Contact values carry expires and q, across commas and fields")
    func contactParameters() throws {
        let message = try request(
            "Contact: <sip:alice@pc33.atlanta.com>;expires=3600;q=0.7, \"Mr. Watson\" <mailto:watson@bell-telephone.com>;q=0.1",
            "m: sip:alice@192.0.2.4;expires=0"
        )
        let contacts = try message.contacts()
        #expect(contacts.count == 3)
        #expect(contacts[0].expires == 3600)
        #expect(contacts[0].q == 0.7)
        #expect(contacts[0].address?.uri.host == "pc33.atlanta.com")
        #expect(contacts[1].address?.displayName == "Mr. Watson")
        #expect(contacts[1].address?.uri.scheme == .other("mailto"))
        #expect(contacts[1].expires == nil)
        #expect(contacts[1].q == 0.1)
        #expect(contacts[2].expires == 0)
        #expect(contacts[2].address?.uri.parameters.isEmpty == true)
    }

    @Test("a message without Contact has no contacts")
    func noContacts() throws {
        #expect(try request("Call-ID: x").contacts().isEmpty)
    }

    @Test("malformed Contact values are refused", arguments: [
        "Contact: *;expires=0",
        "Contact: * junk",
        "Contact: <sip:a@b.com>;expires=abc",
        "Contact: <sip:a@b.com>;expires=4294967296",
        "Contact: <sip:a@b.com>;expires",
        "Contact: <sip:a@b.com> junk",
        "Contact: <sip:a@b.com",
    ])
    func contactRefusals(line: String) throws {
        let message = try request(line)
        let error = #expect(throws: SIPParseError.self) { try message.contacts() }
        #expect(error?.header == .contact)
    }

    // MARK: CSeq

    @Test("CSeq numbers up to 2^32-1 are read with their method", arguments: [
        ("0 INVITE", 0, SIPMethod.invite),
        ("314159 INVITE", 314159, .invite),
        ("4294967295 REGISTER", 4_294_967_295, .register),
        ("00000000001 ACK", 1, .ack),
        ("1   BYE", 1, .bye),
        ("1\tCANCEL", 1, .cancel),
        ("1 NEWMETHOD", 1, .other("NEWMETHOD")),
        ("1 invite", 1, .other("invite")),
    ] as [(String, UInt32, SIPMethod)])
    func cseq(value: String, sequence: UInt32, method: SIPMethod) throws {
        let cseq = try request("CSeq: \(value)").cseq()
        #expect(cseq.sequence == sequence)
        #expect(cseq.method == method)
    }

    @Test("malformed CSeq values are refused", arguments: [
        "4294967296 INVITE",
        "99999999999999999999 INVITE",
        "-1 INVITE",
        "INVITE",
        "1",
        "1INVITE",
        "1 INVITE extra",
        "1 INV@TE",
        "one INVITE",
        "1.5 INVITE",
    ])
    func cseqRefusals(value: String) throws {
        let message = try request("CSeq: \(value)")
        let error = #expect(throws: SIPParseError.self) { try message.cseq() }
        #expect(error?.header == .cseq)
    }

    @Test("a missing CSeq is an error")
    func cseqMissing() throws {
        let error = #expect(throws: SIPParseError.self) { try request("Call-ID: x").cseq() }
        #expect(error?.header == .cseq)
    }

    // MARK: Max-Forwards, Expires

    @Test("Max-Forwards from 0 to 255 is read, leading zeros allowed", arguments: [
        ("0", 0), ("70", 70), ("0068", 68), ("255", 255), ("000000000000255", 255),
    ] as [(String, UInt8)])
    func maxForwards(value: String, expected: UInt8) throws {
        #expect(try request("Max-Forwards: \(value)").maxForwards() == expected)
    }

    @Test("Max-Forwards outside 0...255 or not a number is refused", arguments: ["256", "1000", "-1", "7O", "70 70", "abc"])
    func maxForwardsRefusals(value: String) throws {
        let message = try request("Max-Forwards: \(value)")
        #expect(throws: SIPParseError.self) { try message.maxForwards() }
    }

    @Test("an absent Max-Forwards or Expires is nil")
    func absentNumbers() throws {
        let message = try request("Call-ID: x")
        #expect(try message.maxForwards() == nil)
        #expect(try message.expires() == nil)
        #expect(try message.contentType() == nil)
    }

    @Test("Expires up to 2^32-1 seconds is read", arguments: [
        ("0", 0), ("3600", 3600), ("4294967295", 4_294_967_295),
    ] as [(String, UInt32)])
    func expires(value: String, expected: UInt32) throws {
        #expect(try request("Expires: \(value)").expires() == expected)
    }

    @Test("Expires above 2^32-1 or not a number is refused", arguments: ["4294967296", "-1", "1h", "Thu, 01 Dec 2040 16:00:00 GMT"])
    func expiresRefusals(value: String) throws {
        let message = try request("Expires: \(value)")
        #expect(throws: SIPParseError.self) { try message.expires() }
    }

    // MARK: Content-Type

    @Test("Content-Type is lowercased type/subtype with parameters", arguments: [
        ("application/sdp", "application", "sdp", true),
        ("Application/SDP", "application", "sdp", true),
        ("application / sdp", "application", "sdp", true),
        ("text/plain;charset=UTF-8", "text", "plain", false),
        ("multipart/mixed ; boundary=\"unique-boundary-1\"", "multipart", "mixed", false),
        ("application/pidf+xml", "application", "pidf+xml", false),
    ])
    func contentType(value: String, type: String, subtype: String, isSDP: Bool) throws {
        let media = try #require(try request("Content-Type: \(value)").contentType())
        #expect(media.type == type)
        #expect(media.subtype == subtype)
        #expect(media.isSDP == isSDP)
    }

    @Test("Content-Type parameters are kept and compact 'c' is read")
    func contentTypeParameters() throws {
        let media = try #require(try request("c: multipart/mixed;boundary=\"b 1\";charset=utf-8").contentType())
        #expect(media.parameters.unquotedValue("boundary") == "b 1")
        #expect(media.parameters.unquotedValue("CHARSET") == "utf-8")
        #expect(SIPMediaType.sdp.description == "application/sdp")
    }

    @Test("malformed Content-Type values are refused", arguments: ["application", "application/", "/sdp", "application/sdp junk", "application/sdp;"])
    func contentTypeRefusals(value: String) throws {
        let message = try request("Content-Type: \(value)")
        #expect(throws: SIPParseError.self) { try message.contentType() }
    }

    // MARK: Call-ID

    @Test("Call-ID is word or word@word", arguments: [
        "a84b4c76e66710@pc33.atlanta.com",
        "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com",
        "a84b4c76e66710",
        "[2001:db8::10]",
        "abc()<>:\\\"/[]?{}@x",
        "-.!%*_+`'~@a",
    ])
    func callID(value: String) throws {
        #expect(try request("Call-ID: \(value)").callID() == value)
        #expect(try request("i: \(value)").callID() == value)
    }

    @Test("Call-ID with white space, a doubled or dangling '@', or other characters is refused", arguments: [
        "abc def", "a@@b", "a@b@c", "@b", "a@", "a;b", "a,b", "a=b", "é",
    ])
    func callIDRefusals(value: String) throws {
        let message = try request("Call-ID: \(value)")
        let error = #expect(throws: SIPParseError.self) { try message.callID() }
        #expect(error?.header == .callID)
    }

    @Test("a missing Call-ID is an error")
    func callIDMissing() throws {
        #expect(throws: SIPParseError.self) { try request("CSeq: 1 OPTIONS").callID() }
    }

    // MARK: Allow, Supported, Proxy-Require

    @Test("Allow lists methods across commas and fields")
    func allow() throws {
        let message = try request("Allow: INVITE, ACK,OPTIONS ,CANCEL", "Allow: BYE, X-NEW")
        #expect(try message.allow() == [.invite, .ack, .options, .cancel, .bye, .other("X-NEW")])
    }

    @Test("Supported, Require and Proxy-Require list option tags")
    func optionTags() throws {
        let message = try request(
            "Supported: replaces, 100rel", "k: timer", "Require: 100rel", "Proxy-Require: foo, sec-agree"
        )
        #expect(try message.supported() == ["replaces", "100rel", "timer"])
        #expect(try message.require() == ["100rel"])
        #expect(try message.proxyRequire() == ["foo", "sec-agree"])
    }

    @Test("absent list headers give empty lists")
    func absentLists() throws {
        let message = try request("Call-ID: x")
        #expect(try message.allow().isEmpty)
        #expect(try message.supported().isEmpty)
        #expect(try message.proxyRequire().isEmpty)
    }

    @Test("malformed list values are refused", arguments: [
        ("Allow: INVITE ACK", "allow"), ("Allow: INVITE,,ACK", "allow"), ("Allow: INV@TE", "allow"),
        ("Supported: 100rel timer", "supported"), ("Supported: a;b", "supported"),
        ("Proxy-Require: foo,", "proxyRequire"), ("Proxy-Require: \"foo\"", "proxyRequire"),
    ])
    func listRefusals(line: String, view: String) throws {
        let message = try request(line)
        #expect(throws: SIPParseError.self) {
            switch view {
            case "allow": _ = try message.allow()
            case "supported": _ = try message.supported()
            default: _ = try message.proxyRequire()
            }
        }
    }
}

@Suite("Header names")
struct SIPHeaderNameTests {
    @Test("names compare and hash case-insensitively", arguments: [
        ("Via", "VIA"), ("call-id", "Call-ID"), ("CSEQ", "CSeq"), ("www-authenticate", "WWW-Authenticate"),
        ("X-Custom", "x-custom"), ("X-CUSTOM", "x-Custom"), ("P-Asserted-Identity", "p-asserted-identity"),
    ])
    func caseInsensitive(lhs: String, rhs: String) {
        let a = SIPHeaderName(lhs)
        let b = SIPHeaderName(rhs)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
    }

    @Test("every compact form equals its long form", arguments: SIPHeaderName.Known.allCases.filter { $0.compactForm != nil })
    func compactEqualsLong(known: SIPHeaderName.Known) throws {
        let compact = try #require(known.compactForm)
        let short = SIPHeaderName(compact)
        let upper = SIPHeaderName(compact.uppercased())
        let long = SIPHeaderName(known.canonicalName)
        #expect(short == long)
        #expect(upper == long)
        #expect(short.hashValue == long.hashValue)
        #expect(short.known == known)
        #expect(short.description == known.canonicalName)
    }

    @Test("every known name is found by the parser's byte lookup in any case and by init")
    func lookupAgreesWithInit() {
        for known in SIPHeaderName.Known.allCases {
            var forms = [known.canonicalName, known.canonicalName.lowercased(), known.canonicalName.uppercased()]
            if let compact = known.compactForm { forms += [compact, compact.uppercased()] }
            for form in forms {
                var text = form
                let looked = text.withUTF8 { SIPHeaderName.Known.lookup($0) }
                #expect(looked == known, "lookup(\(form))")
                #expect(SIPHeaderName(form).known == known, "init(\(form))")
            }
        }
    }

    @Test("unknown names are not found by lookup and keep their spelling for writing")
    func unknownNames() {
        for name in ["X-Foo", "Viaa", "Vi", "Toto", "q", "Content-Lengths", "Call-IDs"] {
            var text = name
            #expect(text.withUTF8 { SIPHeaderName.Known.lookup($0) } == nil, "\(name)")
            #expect(SIPHeaderName(name).known == nil)
            #expect(SIPHeaderName(name).description == name)
        }
    }

    @Test("different names are not equal", arguments: [
        ("Via", "v2"), ("X-Foo", "X-Bar"), ("To", "From"), ("t", "f"), ("X-Via", "Via"), ("Route", "Record-Route"),
        ("l", "Content-Type"), ("Foo", "Foo "),
    ])
    func different(lhs: String, rhs: String) {
        #expect(SIPHeaderName(lhs) != SIPHeaderName(rhs))
    }

    @Test("a known name is written in its canonical spelling whatever the input")
    func canonicalSpelling() {
        #expect(SIPHeaderName("CALL-ID").description == "Call-ID")
        #expect(SIPHeaderName("i").description == "Call-ID")
        #expect(SIPHeaderName("www-authenticate").description == "WWW-Authenticate")
        #expect(SIPHeaderName("cseq").description == "CSeq")
        #expect(SIPHeaderName("x-custom-THING").description == "x-custom-THING")
    }

    @Test("a string literal is a header name and a dictionary keyed by names merges case variants")
    func literalsAndDictionaries() {
        let name: SIPHeaderName = "max-forwards"
        #expect(name == .maxForwards)
        var counts: [SIPHeaderName: Int] = [:]
        for raw in ["Via", "v", "VIA", "X-A", "x-a", "Contact", "m"] { counts[SIPHeaderName(raw), default: 0] += 1 }
        #expect(counts[.via] == 3)
        #expect(counts["X-A"] == 2)
        #expect(counts[.contact] == 2)
    }
}

@Suite("Typed header views: empty lists")
struct SIPTypedHeaderEmptyListTests {
    @Test("an empty Supported or Allow value is legal (RFC 3261 §20.37, §20.5) and means an empty list")
    func emptySupportedAndAllow() throws {
        let message = try request("Supported:", "Allow:")
        #expect(message.firstValue(of: .supported) == "")
        #expect(try message.supported().isEmpty)
        #expect(try message.allow().isEmpty)
    }

    @Test("Contact q must be a qvalue from 0 to 1")
    func contactQ() throws {
        #expect(try request("Contact: <sip:a@b>;q=0.5").contacts().first?.q == 0.5)
        #expect(try request("Contact: <sip:a@b>;q=1.000").contacts().first?.q == 1)
        for bad in ["5", "abc", "1.5", "0.1234", "-0"] {
            #expect(throws: SIPParseError.self) { try request("Contact: <sip:a@b>;q=\(bad)").contacts() }
        }
    }

    @Test("Via received must be an IP address, bracketed or not")
    func viaReceived() throws {
        #expect(try SIPVia(parsing: "SIP/2.0/UDP h;received=192.0.2.1").received == "192.0.2.1")
        #expect(try SIPVia(parsing: "SIP/2.0/UDP h;received=[2001:db8::9]").received == "[2001:db8::9]")
        #expect(throws: SIPParseError.self) { try SIPVia(parsing: "SIP/2.0/UDP h;received=evil.example.com") }
    }
}

@Suite("Header and URI parameter lists")
struct SIPParametersTests {
    private static func parameters(_ text: String) throws -> SIPParameters {
        try SIPNameAddress(parsing: "<sip:a@b.com>" + text).parameters
    }

    @Test("lookup is by case-insensitive name; a flag is .some(nil), an absent name nil")
    func lookup() throws {
        let parameters = try Self.parameters(";Tag=abc;lr;q=\"0.5\"")
        #expect(parameters["tag"] == .some("abc"))
        #expect(parameters["TAG"] == .some("abc"))
        #expect(parameters["lr"] == .some(nil))
        #expect(parameters["missing"] == nil)
        #expect(parameters.contains("LR"))
        #expect(parameters["q"] == .some("\"0.5\""))
        #expect(parameters.unquotedValue("q") == "0.5")
        #expect(parameters.unquotedValue("lr") == nil)
    }

    @Test("set replaces the first of a name, remove drops them all")
    func setAndRemove() throws {
        var parameters = try Self.parameters(";a=1;B=2;b=3")
        parameters.set("A", "9")
        parameters.set("c", nil)
        #expect(parameters.description == ";a=9;B=2;b=3;c")
        parameters.remove("b")
        #expect(parameters.description == ";a=9;c")
    }

    @Test("equality ignores order and name case, not value case, and agrees with hashing", arguments: [
        (";a=1;b=2", ";b=2;a=1", true),
        (";A=1;lr", ";lr;a=1", true),
        (";a=X", ";a=x", false),
        (";a", ";a=\"\"", false),
        (";a=1", ";a=1;b=2", false),
        (";a=1;a=1", ";a=1;b=2", false),
        (";a=1;a=1;b=2", ";a=1;b=2;b=2", false),
        (";a=1;a=2", ";a=2;a=1", true),
        ("", "", true),
    ])
    func equality(lhs: String, rhs: String, equal: Bool) throws {
        let a = try Self.parameters(lhs)
        let b = try Self.parameters(rhs)
        #expect((a == b) == equal)
        #expect((b == a) == equal)
        if equal {
            #expect(a.hashValue == b.hashValue)
            #expect(Set([a, b]).count == 1)
        }
    }
}

@Suite("Parameters and URI schemes, ignoring ASCII case")
struct SIPParameterCaseTests {
    @Test("parameter names match in any case, values keep theirs, and removal takes every spelling")
    func parameterNames() throws {
        var parameters: SIPParameters = ["Branch": "z9hG4bKAbC", "LR": nil, "transport": "TCP"]
        #expect(parameters["branch"] == .some("z9hG4bKAbC"))
        #expect(parameters["BRANCH"] == .some("z9hG4bKAbC"))
        #expect(parameters["lr"] == .some(nil))
        #expect(parameters["branc"] == nil)
        #expect(parameters["branchx"] == nil)
        parameters.append("TRANSPORT", "udp")
        parameters.remove("Transport")
        #expect(!parameters.contains("transport"))
        #expect(parameters.count == 2)
        let via = try SIPVia(parsing: "SIP/2.0/udp 192.0.2.1:5060;BRANCH=z9hG4bK1;Received=192.0.2.9;RPORT=5062")
        #expect(via.transport == "UDP")
        #expect(via.branch == "z9hG4bK1")
        #expect(via.rport == .value(5062))
        #expect(throws: SIPParseError.self) { try SIPVia(parsing: "SIP/2.0/UDP 192.0.2.1;RECEIVED=nowhere") }
    }

    @Test("URI schemes and media types are recognised in any case and kept lowercase")
    func schemesAndMediaTypes() throws {
        #expect(try SIPURI(parsing: "SIP:alice@example.com").scheme == .sip)
        #expect(try SIPURI(parsing: "SiPs:alice@example.com").scheme == .sips)
        #expect(try SIPURI(parsing: "TEL:+441632960000").scheme == .tel)
        #expect(try SIPURI(parsing: "URN:service:sos").scheme == .other("urn"))
        let type = SIPMediaType(type: "Application", subtype: "SDP")
        #expect(type.type == "application" && type.subtype == "sdp" && type.isSDP)
    }
}
