import Testing

@testable import SIPCore

@Suite("Validation rules")
struct SIPValidationTests {
    static let headers = """
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKv1\r
        From: <sip:100@example.com>;tag=a\r
        To: <sip:200@example.com>\r
        Call-ID: v1@192.0.2.10\r
        CSeq: 1 INVITE\r
        Max-Forwards: 70\r

        """

    static func request(_ startLine: String = "INVITE sip:200@example.com SIP/2.0", replacing old: String? = nil, with new: String = "",
                        extra: String = "", body: String = "") -> String {
        var head = headers
        if let old { head = head.replacingOccurrences(of: old, with: new) }
        var text = startLine + "\r\n" + head + extra
        if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + body
    }

    static let sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

    @Test("a well-formed INVITE with SDP passes")
    func wellFormed() throws {
        let message = try SIPMessage(parsing: Self.request(extra: "Content-Type: application/sdp\r\n", body: Self.sdp))
        try message.validate()
    }

    @Test("each rule fires on the message that breaks it, with the status a proxy answers", arguments: [
        (request("INVITE sip:200@example.com SIP/3.0"), SIPValidationError.Rule.versionNotSupported, 505),
        (request(replacing: "Call-ID: v1@192.0.2.10\r\n"), .missingHeader, 400),
        (request(replacing: "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKv1\r\n"), .missingHeader, 400),
        (request(extra: "To: <sip:300@example.com>\r\n"), .multipleValues, 400),
        (request(extra: "Max-Forwards: 5\r\n"), .multipleValues, 400),
        (request(replacing: "To: <sip:200@example.com>", with: "To: <sip:200@example.com"), .malformedHeader, 400),
        (request(replacing: "CSeq: 1 INVITE", with: "CSeq: 4294967296 INVITE"), .malformedHeader, 400),
        (request(replacing: "Max-Forwards: 70", with: "Max-Forwards: 256"), .malformedHeader, 400),
        (request(replacing: "Call-ID: v1@192.0.2.10", with: "Call-ID: a b"), .malformedHeader, 400),
        (request(extra: "Expires: 4294967296\r\n"), .malformedHeader, 400),
        (request(extra: "Date: Sat, 13 Nov 2010 23:29:00 PST\r\n"), .malformedHeader, 400),
        (request(extra: "Authorization: Digest username\r\n"), .malformedHeader, 400),
        (request("INVITE sip:[2001:db8::1 SIP/2.0"), .malformedRequestURI, 400),
        (request("INVITE http://example.com/ SIP/2.0"), .unsupportedURIScheme, 416),
        (request("INVITE sip:200@example.com?Route=x SIP/2.0"), .headersInRequestURI, 400),
        (request(replacing: "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKv1", with: "SIP/2.0/UDP 192.0.2.10:99999"), .invalidVia, 400),
        (request(replacing: "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKv1", with: "SIP/1.0/UDP 192.0.2.10"), .invalidVia, 400),
        (request(replacing: "CSeq: 1 INVITE", with: "CSeq: 1 BYE"), .cseqMethodMismatch, 400),
        (request("FOO sip:200@example.com SIP/2.0"), .cseqMethodMismatch, 501),
        (request(replacing: "Max-Forwards: 70", with: "Max-Forwards: 0"), .tooManyHops, 483),
        (request(extra: "Contact: *\r\n"), .invalidContact, 400),
        (request(extra: "Contact: <sip:a@b>;expires=x\r\n"), .invalidContact, 400),
        (request(body: "hello"), .missingContentType, 400),
        (request(extra: "Content-Type: application/sdp\r\n", body: "v=1\r\n"), .malformedBody, 400),
        (request(extra: "Proxy-Require: foo\r\n"), .badExtension, 420),
        (request(extra: "X-Evil: a\u{0}b\r\n"), .controlCharacter, 400),
        (request(extra: "X-Evil: a\rb\r\n"), .controlCharacter, 400),
        (request(extra: "X-Long: \(String(repeating: "a", count: 1100))\r\n"), .hostileContent, 400),
        (request(replacing: "From: <sip:100@example.com>", with: "From: %s%s%s <sip:100@example.com>"), .hostileContent, 400),
        (request(extra: "Subject: \u{FF}\u{FE}\r\n"), .hostileContent, 400),
    ])
    func rules(text: String, rule: SIPValidationError.Rule, status: Int) throws {
        let message = try SIPMessage(parsing: Array(text.utf8.map { $0 }).replacingLatin1())
        #expect {
            try message.validate()
        } throws: { error in
            guard let error = error as? SIPValidationError else { return false }
            return error.rule == rule && error.status == status
        }
    }

    @Test("Contact: * is accepted alone in a REGISTER with Expires: 0")
    func wildcardContact() throws {
        let text = Self.request("REGISTER sip:example.com SIP/2.0", replacing: "CSeq: 1 INVITE", with: "CSeq: 1 REGISTER",
                                extra: "Contact: *\r\nExpires: 0\r\n")
        try SIPMessage(parsing: text).validate()
    }

    @Test("Max-Forwards 0 is fine for an endpoint, and a supported Proxy-Require tag passes")
    func options() throws {
        let hops = try SIPMessage(parsing: Self.request(replacing: "Max-Forwards: 70", with: "Max-Forwards: 0"))
        try hops.validate(SIPValidationOptions(forwarding: false))
        let required = try SIPMessage(parsing: Self.request(extra: "Proxy-Require: sec-agree\r\n"))
        try required.validate(SIPValidationOptions(supportedProxyExtensions: ["sec-agree"]))
        #expect {
            try required.validate()
        } throws: { ($0 as? SIPValidationError)?.unsupportedTags == ["sec-agree"] }
    }

    @Test("an edited body without a matching Content-Length is caught")
    func contentLengthMismatch() throws {
        var message = try SIPMessage(parsing: Self.request(extra: "Content-Type: text/plain\r\n", body: "abc"))
        message.setHeader(.contentLength, "5")
        #expect {
            try message.validate()
        } throws: { ($0 as? SIPValidationError)?.rule == .contentLengthMismatch }
    }

    @Test("a single %-sequence and %HH escapes are not taken for format strings")
    func formatStringFalsePositives() throws {
        let text = Self.request("INVITE sip:%2d%2dab@example.com SIP/2.0",
                                replacing: "branch=z9hG4bKv1", with: "branch=z9hG4bK209%fzsnel234")
        try SIPMessage(parsing: text).validate()
    }

    @Test("screening can be turned off")
    func screeningOff() throws {
        let message = try SIPMessage(parsing: Self.request(extra: "X-Long: \(String(repeating: "a", count: 1100))\r\n"))
        try message.validate(SIPValidationOptions(screensHostileContent: false))
    }

    @Test("responses are checked too: a 200 without CSeq is refused")
    func responses() throws {
        let response = try SIPMessage(parsing: "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\n\r\n")
        #expect(throws: SIPValidationError.self) { try response.validate() }
    }
}

@Suite("Message parsing edge cases")
struct SIPParserEdgeCaseTests {
    @Test("a fold that holds only white space at the end of a value is not part of the value")
    func trailingEmptyFold() throws {
        let message = try SIPMessage(parsing: "OPTIONS sip:a@b SIP/2.0\r\nSubject: x\r\n \r\nCall-ID: y\r\n\r\n")
        #expect(message.firstValue(of: .subject) == "x")
        #expect(message.firstValue(of: .callID) == "y")
        #expect(try SIPMessage(parsing: message.serialized()) == message)
    }
}

extension Array where Element == UInt8 {
    /// Test strings write raw bytes 0x80–0xFF as Latin-1 scalars; turn those back into single bytes.
    fileprivate func replacingLatin1() -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < count {
            if self[index] == 0xC3, index + 1 < count, self[index + 1] == 0xBF || self[index + 1] == 0xBE {
                out.append(self[index + 1] + 0x40)
                index += 2
            } else {
                out.append(self[index])
                index += 1
            }
        }
        return out
    }
}
