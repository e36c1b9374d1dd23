import Testing

@testable import SIPCore

@Suite("Message parsing")
struct SIPMessageParserTests {
    static let invite = """
        INVITE sip:bob@biloxi.example.com SIP/2.0\r
        Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r
        Max-Forwards: 70\r
        To: Bob <sip:bob@biloxi.example.com>\r
        From: "Alice A." <sip:alice@atlanta.example.com>;tag=1928301774\r
        Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r
        CSeq: 314159 INVITE\r
        Contact: <sip:alice@pc33.atlanta.example.com>\r
        Content-Type: application/sdp\r
        Content-Length: 4\r
        \r
        v=0\n
        """

    @Test("a request's start line, headers and body are indexed")
    func request() throws {
        let message = try SIPMessage(parsing: Self.invite)
        #expect(message.isRequest)
        #expect(message.method == .invite)
        #expect(message.requestURIText == "sip:bob@biloxi.example.com")
        #expect(message.version == "SIP/2.0")
        #expect(message.headerCount == 9)
        #expect(message.firstValue(of: .callID) == "a84b4c76e66710@pc33.atlanta.example.com")
        #expect(message.bodyText == "v=0\n")
    }

    @Test("a response's status line is read, with or without a reason phrase")
    func response() throws {
        let ok = try SIPMessage(parsing: "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n")
        #expect(ok.statusCode == 200)
        #expect(ok.reasonPhrase == "OK")
        let empty = try SIPMessage(parsing: "SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n")
        #expect(empty.reasonPhrase == "")
        let bare = try SIPMessage(parsing: "SIP/2.0 180\r\n\r\n")
        #expect(bare.statusCode == 180)
    }

    @Test("compact header names equal their long forms", arguments: [
        ("i", SIPHeaderName.callID), ("m", .contact), ("f", .from), ("t", .to), ("v", .via), ("l", .contentLength),
        ("c", .contentType), ("k", .supported), ("s", .subject), ("e", SIPHeaderName("Content-Encoding")),
        ("o", SIPHeaderName("Event")), ("r", SIPHeaderName("Refer-To")), ("u", SIPHeaderName("Allow-Events")),
        ("x", SIPHeaderName("Session-Expires")),
    ])
    func compactForms(compact: String, long: SIPHeaderName) throws {
        #expect(SIPHeaderName(compact) == long)
        let message = try SIPMessage(parsing: "OPTIONS sip:a@b SIP/2.0\r\n\(compact): 0\r\n\r\n")
        #expect(message.firstValue(of: long) == "0")
    }

    @Test("header names are case-insensitive and unknown headers are kept")
    func caseInsensitiveNames() throws {
        let message = try SIPMessage(parsing: "OPTIONS sip:a@b SIP/2.0\r\ncALL-id: 1\r\nX-Custom-Thing: yes\r\nx-custom-thing: again\r\n\r\n")
        #expect(message.firstValue(of: .callID) == "1")
        #expect(message.values(of: "X-CUSTOM-THING") == ["yes", "again"])
        #expect(message.headerFields.map(\.rawName) == ["cALL-id", "X-Custom-Thing", "x-custom-thing"])
    }

    @Test("list headers split at top-level commas only")
    func commaSplitting() throws {
        let message = try SIPMessage(parsing: """
            OPTIONS sip:a@b SIP/2.0\r
            Contact: "Doe, John" <sip:j@h;x=a,b>, <sip:k@h>\r
            Subject: one, two\r
            \r

            """)
        #expect(message.values(of: .contact) == ["\"Doe, John\" <sip:j@h;x=a,b>", "<sip:k@h>"])
        #expect(message.values(of: .subject) == ["one, two"])
    }

    @Test("bare LF line endings are accepted")
    func bareLineFeeds() throws {
        let message = try SIPMessage(parsing: "OPTIONS sip:a@b SIP/2.0\nCall-ID: x\n\nbody")
        #expect(message.firstValue(of: .callID) == "x")
        #expect(message.bodyText == "body")
    }

    @Test("leading CRLFs before the start line are skipped")
    func leadingLineBreaks() throws {
        let message = try SIPMessage(parsing: "\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\n\r\n")
        #expect(message.method == .options)
    }

    @Test("without Content-Length a datagram's body is the rest of the bytes")
    func bodyWithoutContentLength() throws {
        let message = try SIPMessage(parsing: "MESSAGE sip:a@b SIP/2.0\r\n\r\nhello")
        #expect(message.bodyText == "hello")
    }

    @Test("malformed input is refused with the rule and the byte offset", arguments: [
        ("", "empty-message", 0),
        ("\r\n\r\n", "empty-message", 0),
        ("INVITE sip:a@b SIP/2.0\r\nVia: x\r\n", "header-section-not-terminated", 32),
        ("INVITE  sip:a@b SIP/2.0\r\n\r\n", "malformed-request-uri", 7),
        ("INVITE sip:a@b SIP/2.0 \r\n\r\n", "malformed-version", 22),
        ("INVITE <sip:a@b> SIP/2.0\r\n\r\n", "malformed-request-uri", 7),
        ("INVITE sip:a@b HTTP/1.1\r\n\r\n", "malformed-version", 15),
        ("INV@TE sip:a@b SIP/2.0\r\n\r\n", "malformed-method", 3),
        ("SIP/2.0 2000 OK\r\n\r\n", "malformed-status-code", 8),
        ("SIP/2.0 099 Low\r\n\r\n", "malformed-status-code", 8),
        ("SIP/2.0 200 O\u{1}K\r\n\r\n", "malformed-reason-phrase", 13),
        ("OPTIONS sip:a@b SIP/2.0\r\n folded\r\n\r\n", "unexpected-continuation-line", 25),
        ("OPTIONS sip:a@b SIP/2.0\r\nNoColon\r\n\r\n", "missing-colon", 32),
        ("OPTIONS sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n", "malformed-header-name", 29),
        ("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n", "malformed-content-length", 41),
        ("OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab", "conflicting-content-length", 47),
        ("OPTIONS sip:a@b SIP/2.0\r\nl: 10\r\n\r\nabc", "body-truncated", 34),
        ("OPTIONS sip:a@b SIP/2.0\r\nl: 99999999999\r\n\r\n", "malformed-content-length", 28),
    ])
    func refusals(input: String, rule: String, offset: Int) {
        #expect {
            _ = try SIPMessage(parsing: input)
        } throws: { error in
            guard let error = error as? SIPParseError else { return false }
            return error.rule == rule && error.offset == offset
        }
    }

    @Test("messages over the size limit are refused before any parsing")
    func sizeLimit() {
        let huge = [UInt8]("OPTIONS sip:a@b SIP/2.0\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 100_000)
        #expect(throws: SIPParseError.self) { try SIPMessage(parsing: huge) }
        let limits = SIPParserLimits(maximumMessageSize: 1_000_000, maximumHeaderCount: 3)
        let many = "OPTIONS sip:a@b SIP/2.0\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n"
        #expect {
            try SIPMessage(parsing: Array(many.utf8), limits: limits)
        } throws: { ($0 as? SIPParseError)?.rule == "too-many-headers" }
    }
}

@Suite("Message editing and serialisation")
struct SIPMessageEditingTests {
    @Test("a proxy's edits: a Via on top, the Request-URI rewritten, a Record-Route added")
    func proxyEdits() throws {
        var message = try SIPMessage(parsing: SIPMessageParserTests.invite)
        message.prependHeader(.via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKproxy1")
        message.setRequestURI("sip:bob@192.0.2.20:5060")
        message.insertHeader(.recordRoute, "<sip:192.0.2.1;lr>", at: 0)
        let parsed = try SIPMessage(parsing: message.serialized())
        #expect(parsed == message)
        #expect(try parsed.vias().map(\.branch) == ["z9hG4bKproxy1", "z9hG4bK776asdhds"])
        #expect(parsed.requestURIText == "sip:bob@192.0.2.20:5060")
        #expect(try parsed.recordRoutes().first?.uri.host == "192.0.2.1")
    }

    @Test("removing the top Via keeps the rest of a combined field")
    func removeTopVia() throws {
        var message = try SIPMessage(parsing: "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1 , SIP/2.0/UDP b;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP c;branch=z9hG4bK3\r\n\r\n")
        #expect(message.removeFirstValue(of: .via) == "SIP/2.0/UDP a;branch=z9hG4bK1")
        #expect(try message.vias().map(\.host) == ["b", "c"])
        message.removeFirstValue(of: .via)
        message.removeFirstValue(of: .via)
        #expect(!message.contains(.via))
        #expect(message.removeFirstValue(of: .via) == nil)
    }

    @Test("setting the body updates Content-Length")
    func setBody() throws {
        var message = try SIPMessage(parsing: SIPMessageParserTests.invite)
        message.body = Array("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n".utf8)
        #expect(try message.contentLength() == 31)
        let parsed = try SIPMessage(parsing: message.serialized())
        #expect(parsed.bodyBytes.count == 31)
        #expect(parsed == message)
    }

    @Test("header values with line breaks cannot inject headers")
    func noHeaderInjection() throws {
        var message = try SIPMessage(parsing: SIPMessageParserTests.invite)
        message.appendHeader(.subject, "hi\r\nX-Injected: yes")
        let parsed = try SIPMessage(parsing: message.serialized())
        #expect(!parsed.contains("X-Injected"))
        #expect(parsed.firstValue(of: .subject) == "hi  X-Injected: yes")
    }

    @Test("removing headers by name and by predicate")
    func removeHeaders() throws {
        var message = try SIPMessage(parsing: "OPTIONS sip:a@b SIP/2.0\r\nX-Asterisk-A: 1\r\nX-Asterisk-B: 2\r\nCall-ID: c\r\n\r\n")
        #expect(message.removeHeaders(where: { $0.text.lowercased().hasPrefix("x-asterisk-") }) == 2)
        #expect(message.headerCount == 1)
        #expect(message.removeHeaders(.callID) == 1)
        #expect(message.headerCount == 0)
    }

    @Test("setting a repeated header keeps one field where the first stood; removing one absent changes nothing")
    func setAndRemoveKeepOrder() throws {
        var message = try SIPMessage(parsing: "OPTIONS sip:a@b SIP/2.0\r\nX-A: 1\r\nSubject: s1\r\nX-B: 2\r\nSubject: s2\r\nx-c: 3\r\n\r\n")
        message.setHeader(.subject, "only")
        #expect(message.headerFields.map(\.name.text) == ["X-A", "Subject", "X-B", "x-c"])
        #expect(message.values(of: .subject) == ["only"])
        message.setHeader(.callID, "c1")
        #expect(message.headerFields.last?.name == .callID, "an absent header is added at the end")
        #expect(message.removeHeaders(.contact) == 0)
        #expect(message.headerCount == 5)
        #expect(message.removeHeaders(SIPHeaderName("X-C")) == 1, "unknown names match without regard to case")
        #expect(message.headerFields.map(\.name.text) == ["X-A", "Subject", "X-B", "Call-ID"])
        let reparsed = try SIPMessage(parsing: message.serialized())
        #expect(reparsed.values(of: .subject) == ["only"] && reparsed.firstValue(of: .callID) == "c1")
    }

    @Test("rewriting header values decodes only the fields the byte filter lets through")
    func rewriteWithFilter() throws {
        var message = try SIPMessage(parsing: "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\nSubject: 10.0.0.1\r\nX-Y: none\r\n\r\n")
        var decoded: [String] = []
        message.rewriteHeaderValues(mayRewrite: { known, value in known != .via && value.contains(UInt8(ascii: "1")) }) { name, value in
            decoded.append(name.text)
            return value == "10.0.0.1" ? "edge" : nil
        }
        #expect(decoded == ["Subject"])
        #expect(message.values(of: .via) == ["SIP/2.0/UDP 10.0.0.1"])
        #expect(message.firstValue(of: .subject) == "edge")
        #expect(message.firstValue(of: SIPHeaderName("X-Y")) == "none")
    }

    @Test("a response built for a request copies Via, From, To, Call-ID and CSeq and adds the To tag")
    func makeResponse() throws {
        let request = try SIPMessage(parsing: SIPMessageParserTests.invite)
        let response = request.makeResponse(status: 486, reason: "Busy Here", toTag: "xyz")
        #expect(response.statusCode == 486)
        #expect(try response.to().tag == "xyz")
        #expect(try response.topVia()?.branch == "z9hG4bK776asdhds")
        #expect(try response.cseq() == SIPCSeq(sequence: 314159, method: .invite))
        #expect(try response.callID() == request.callID())
        try response.validate()
        #expect(try SIPMessage(parsing: response.serialized()) == response)
    }

    @Test("requests built from parts serialise to what they say")
    func buildRequest() throws {
        let request = SIPMessage(method: .options, uri: "sip:trunk.example.com", headers: [
            (.via, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKopt1"), (.from, "<sip:tollgate@192.0.2.1>;tag=a"),
            (.to, "<sip:trunk.example.com>"), (.callID, "probe-1"), (.cseq, "1 OPTIONS"), (.maxForwards, "70"),
        ])
        #expect(request.description.hasPrefix("OPTIONS sip:trunk.example.com SIP/2.0\r\nVia: SIP/2.0/UDP"))
        #expect(try request.contentLength() == 0)
        try request.validate()
    }
}
