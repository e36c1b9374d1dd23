import SIPCore
import Testing

/// Joins lines with CRLF and terminates the body with CRLF.
private func sdp(_ lines: String...) -> String {
    lines.map { $0 + "\r\n" }.joined()
}

/// The example session description of RFC 4566 §5.
private let rfc4566Example = sdp(
    "v=0",
    "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5",
    "s=SDP Seminar",
    "i=A Seminar on the session description protocol",
    "u=http://www.example.com/seminars/sdp.pdf",
    "e=j.doe@example.com (Jane Doe)",
    "c=IN IP4 224.2.17.12/127",
    "t=2873397496 2873404696",
    "a=recvonly",
    "m=audio 49170 RTP/AVP 0",
    "m=video 51372 RTP/AVP 99",
    "a=rtpmap:99 h263-1998/90000"
)

/// The security descriptions example of RFC 4568 §4 (with the key of §6.1).
private let rfc4568Example = sdp(
    "v=0",
    "o=sam 2890844526 2890842807 IN IP4 10.47.16.5",
    "s=SRTP Discussion",
    "i=A discussion of Secure RTP",
    "u=http://www.example.com/seminars/srtp.pdf",
    "e=marge@example.com (Marge Simpson)",
    "c=IN IP4 168.2.17.12",
    "t=2873397496 2873404696",
    "m=audio 49170 RTP/SAVP 0",
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32"
)

/// A minimal valid prefix to which test cases append lines.
private let prefix = sdp(
    "v=0",
    "o=- 1 1 IN IP4 192.0.2.1",
    "s=-",
    "c=IN IP4 192.0.2.1",
    "t=0 0"
)

/// Parses `text`, expecting an ``SDPParseError``, and returns it.
private func parseError(_ text: String) -> SDPParseError? {
    do {
        _ = try SDPSession(parsing: text)
        return nil
    } catch {
        return error
    }
}

@Suite("SDP parsing and serialization")
struct SDPParsingTests {
    @Test("parses the RFC 4566 §5 example into every field")
    func parsesRFC4566Example() throws {
        let session = try SDPSession(parsing: rfc4566Example)
        #expect(session.version == 0)
        #expect(
            session.origin
                == SDPOrigin(
                    username: "jdoe",
                    sessionID: "2890844526",
                    sessionVersion: "2890842807",
                    networkType: "IN",
                    addressType: "IP4",
                    address: "10.47.16.5"
                )
        )
        #expect(session.sessionName == "SDP Seminar")
        #expect(session.information == "A Seminar on the session description protocol")
        #expect(session.uri == "http://www.example.com/seminars/sdp.pdf")
        #expect(session.emails == ["j.doe@example.com (Jane Doe)"])
        #expect(session.connection == SDPConnection(addressType: "IP4", address: "224.2.17.12/127"))
        #expect(session.connection?.baseAddress == "224.2.17.12")
        #expect(session.times == [SDPTime(start: 2_873_397_496, stop: 2_873_404_696)])
        #expect(session.explicitDirection == .recvonly)
        #expect(session.media.count == 2)

        let audio = session.media[0]
        #expect(audio.type == "audio")
        #expect(audio.port == 49170)
        #expect(audio.portCount == nil)
        #expect(audio.proto == "RTP/AVP")
        #expect(audio.formats == ["0"])
        #expect(audio.direction == .sendrecv)
        #expect(session.effectiveDirection(of: audio) == .recvonly)

        let video = session.media[1]
        #expect(video.formats == ["99"])
        #expect(video.rtpMaps == [SDPRTPMap(payloadType: 99, encodingName: "h263-1998", clockRate: 90000)])
    }

    @Test("serializes in RFC 4566 order with CRLF, byte-identical to a canonical input")
    func serializesCanonically() throws {
        let session = try SDPSession(parsing: rfc4566Example)
        #expect(session.text == rfc4566Example)
        #expect(session.serialized() == Array(rfc4566Example.utf8))
    }

    @Test("round trip parse → serialize → parse yields an equal session")
    func roundTrip() throws {
        let text = sdp(
            "v=0",
            "o=alice 2890844526 2890844527 IN IP6 2001:db8::1",
            "s= ",
            "i=info",
            "u=sip:alice@example.com",
            "e=alice@example.com",
            "e=bob@example.com",
            "p=+1 617 555-6011",
            "c=IN IP6 2001:db8::2",
            "b=CT:128",
            "t=3034423619 3042462419",
            "r=7d 1h 0 25h",
            "r=604800 3600 0 90000",
            "t=0 0",
            "z=2882844526 -1h 2898848070 0",
            "k=prompt",
            "a=tool:tollgate",
            "a=sendonly",
            "m=audio 49170/2 RTP/SAVP 0 8 101",
            "i=voice",
            "c=IN IP4 192.0.2.10",
            "b=AS:64",
            "b=TIAS:64000",
            "k=clear:secret",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-15",
            "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=1 UNENCRYPTED_SRTCP",
            "a=rtcp:53020 IN IP4 192.0.2.10",
            "a=ptime:20",
            "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
            "a=sctp-port:5000"
        )
        let first = try SDPSession(parsing: text)
        let second = try SDPSession(parsing: first.serialized())
        #expect(first == second)
        #expect(first.text == text)
        #expect(first.times.first?.repeats == ["7d 1h 0 25h", "604800 3600 0 90000"])
        #expect(first.timeZones == "2882844526 -1h 2898848070 0")
        #expect(first.sessionName == " ")
        #expect(first.media[0].portCount == 2)
        #expect(first.media[1].formats == ["webrtc-datachannel"])
    }

    @Test("accepts bare LF line endings, a missing final newline and trailing empty lines")
    func lenientLineEndings() throws {
        let crlf = try SDPSession(parsing: rfc4566Example)
        let lf = try SDPSession(parsing: rfc4566Example.replacing("\r\n", with: "\n"))
        #expect(lf == crlf)
        let trailing = try SDPSession(parsing: rfc4566Example + "\r\n\n\r\n")
        #expect(trailing == crlf)
        let unterminated = try SDPSession(parsing: rfc4566Example.utf8.dropLast(2))
        #expect(unterminated == crlf)
        let bytes = try SDPSession(parsing: ArraySlice(rfc4566Example.utf8))
        #expect(bytes == crlf)
    }

    @Test("tolerates an empty s= line")
    func emptySessionName() throws {
        let session = try SDPSession(parsing: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=", "c=IN IP4 192.0.2.1", "t=0 0"))
        #expect(session.sessionName == "")
    }

    @Test("parses IPv6 connection data")
    func ipv6Connection() throws {
        let session = try SDPSession(
            parsing: sdp(
                "v=0",
                "o=- 1 1 IN IP6 2001:db8::1",
                "s=-",
                "c=IN IP6 2001:db8::2",
                "t=0 0",
                "m=audio 5004 RTP/AVP 0",
                "c=IN IP6 ::ffff:192.0.2.7",
                "m=audio 5006 RTP/AVP 0",
                "c=IN IP6 FF15::101/3"
            )
        )
        #expect(session.connection == SDPConnection(addressType: "IP6", address: "2001:db8::2"))
        #expect(session.media[0].connection?.address == "::ffff:192.0.2.7")
        #expect(session.media[1].connection?.baseAddress == "FF15::101")
    }

    @Test("media-level c= overrides the session-level one")
    func mediaConnectionOverrides() throws {
        let session = try SDPSession(
            parsing: prefix + sdp("m=audio 5004 RTP/AVP 0", "m=video 5006 RTP/AVP 96", "c=IN IP4 198.51.100.9")
        )
        #expect(session.effectiveConnection(of: session.media[0])?.address == "192.0.2.1")
        #expect(session.effectiveConnection(of: session.media[1])?.address == "198.51.100.9")
    }

    @Test("accepts an FQDN and multicast TTL/count in an IP4 c= line")
    func ipv4ConnectionForms() throws {
        let session = try SDPSession(
            parsing: prefix
                + sdp(
                    "m=audio 5004 RTP/AVP 0",
                    "c=IN IP4 media.example.com",
                    "m=audio 5006 RTP/AVP 0",
                    "c=IN IP4 224.2.1.1/127/3"
                )
        )
        #expect(session.media[0].connection?.address == "media.example.com")
        #expect(session.media[1].connection?.baseAddress == "224.2.1.1")
    }

    @Test("parses rtpmap with encoding parameters and fmtp")
    func rtpmapAndFmtp() throws {
        let session = try SDPSession(
            parsing: prefix
                + sdp(
                    "m=audio 5004 RTP/AVP 111 101",
                    "a=rtpmap:111 opus/48000/2",
                    "a=rtpmap:101 telephone-event/8000",
                    "a=fmtp:111 minptime=10;useinbandfec=1",
                    "a=fmtp:101 0-16"
                )
        )
        let media = session.media[0]
        #expect(
            media.rtpMaps == [
                SDPRTPMap(payloadType: 111, encodingName: "opus", clockRate: 48000, encodingParameters: "2"),
                SDPRTPMap(payloadType: 101, encodingName: "telephone-event", clockRate: 8000),
            ]
        )
        #expect(media.rtpMap(forPayloadType: 111)?.encodingParameters == "2")
        #expect(media.formatParameters(for: "111") == "minptime=10;useinbandfec=1")
        #expect(media.formatParameters(for: "101") == "0-16")
        #expect(media.formatParameters(for: "0") == nil)
        #expect(SDPRTPMap(attributeValue: "0 PCMU/8000")?.attributeValue == "0 PCMU/8000")
    }

    @Test("parses direction attributes at media and session level")
    func directions() throws {
        let session = try SDPSession(
            parsing: prefix
                + sdp(
                    "a=sendonly",
                    "m=audio 5004 RTP/AVP 0",
                    "a=inactive",
                    "m=audio 5006 RTP/AVP 0",
                    "m=audio 5008 RTP/AVP 0",
                    "a=recvonly"
                )
        )
        #expect(session.explicitDirection == .sendonly)
        #expect(session.media.map(\.explicitDirection) == [.inactive, nil, .recvonly])
        #expect(session.media.map { session.effectiveDirection(of: $0) } == [.inactive, .sendonly, .recvonly])
        #expect(session.media[1].direction == .sendrecv)
        #expect(SDPDirection.sendonly.reversed == .recvonly)
    }

    @Test("parses a=rtcp with and without an address (RFC 3605)")
    func rtcpAttribute() throws {
        let session = try SDPSession(
            parsing: prefix
                + sdp(
                    "m=audio 49170 RTP/AVP 0",
                    "a=rtcp:53020",
                    "m=audio 49172 RTP/AVP 0",
                    "a=rtcp:53020 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD"
                )
        )
        #expect(session.media[0].rtcp == SDPRTCP(port: 53020))
        #expect(
            session.media[1].rtcp
                == SDPRTCP(
                    port: 53020,
                    connection: SDPConnection(addressType: "IP6", address: "2001:2345:6789:ABCD:EF01:2345:6789:ABCD")
                )
        )
    }
}

@Suite("SDP security descriptions (RFC 4568)")
struct SDPCryptoTests {
    @Test("parses the RFC 4568 example and decodes the inline key to 30 bytes of key||salt")
    func parsesRFC4568Example() throws {
        let session = try SDPSession(parsing: rfc4568Example)
        let cryptos = session.media[0].cryptos
        #expect(cryptos.count == 1)
        let crypto = try #require(cryptos.first)
        #expect(crypto.tag == 1)
        #expect(crypto.suite == "AES_CM_128_HMAC_SHA1_80")
        #expect(
            crypto.keyParams == [
                SDPKeyParam(
                    method: "inline",
                    keySalt: "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
                    lifetime: "2^20",
                    mki: SDPKeyParam.MKI(value: 1, length: 32)
                )
            ]
        )
        #expect(crypto.sessionParams.isEmpty)
        let keyAndSalt = try #require(crypto.keyAndSalt)
        #expect(keyAndSalt.count == 30)
        #expect(Array(keyAndSalt.prefix(4)) == [0x3D, 0x2D, 0x6E, 0x40])
        #expect(session.text == rfc4568Example)
    }

    @Test("parses multiple key params, session params and an MKI without a lifetime")
    func keyParamVariants() throws {
        let value =
            "2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4;"
            + "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31 FEC_ORDER=FEC_SRTP WSH=64"
        let crypto = try #require(SDPCrypto(attributeValue: value))
        #expect(crypto.keyParams.count == 2)
        #expect(crypto.keyParams[0].lifetime == nil)
        #expect(crypto.keyParams[0].mki == SDPKeyParam.MKI(value: 1, length: 4))
        #expect(crypto.keyParams[1].lifetime == "2^31")
        #expect(crypto.sessionParams == ["FEC_ORDER=FEC_SRTP", "WSH=64"])
        #expect(crypto.attributeValue == value)
    }

    @Test("SDPCrypto(tag:suite:keySalt:) base64-encodes and decodes back", arguments: [0, 1, 2, 3, 28, 30, 44, 46])
    func constructorRoundTrip(length: Int) throws {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let crypto = SDPCrypto(tag: 3, suite: "FOO_SUITE", keySalt: bytes)
        #expect(crypto.keyAndSalt == bytes)
        #expect(crypto.keyParams[0].keySalt.utf8.count == (length + 2) / 3 * 4)
    }

    @Test("the 30-byte constructor output matches the RFC 4568 example key")
    func constructorMatchesExample() throws {
        let example = try #require(
            SDPCrypto(attributeValue: "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")
        )
        let keySalt = try #require(example.keyAndSalt)
        let built = SDPCrypto(tag: 1, suite: "AES_CM_128_HMAC_SHA1_80", keySalt: keySalt)
        #expect(built == example)
    }

    @Test(
        "rejects malformed crypto attribute values",
        arguments: [
            "",
            "1 AES_CM_128_HMAC_SHA1_80",
            "x AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
            "1234567890 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
            "1 AES-CM AES inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
            "1 AES_CM_128_HMAC_SHA1_80 uri:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxa",
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB!",
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^x",
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:200",
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4|2^20",
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR;",
            "1 FOO inline:",
        ]
    )
    func rejectsMalformedCrypto(value: String) {
        #expect(SDPCrypto(attributeValue: value) == nil)
        let error = parseError(prefix + sdp("m=audio 5004 RTP/SAVP 0", "a=crypto:\(value)"))
        #expect(error?.reason == .malformedCrypto)
        #expect(error?.line == 7)
    }

    @Test("replaceCryptos swaps the crypto lines in place")
    func replaceCryptos() throws {
        var session = try SDPSession(
            parsing: prefix
                + sdp(
                    "m=audio 5004 RTP/SAVP 0",
                    "a=rtpmap:0 PCMU/8000",
                    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
                    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
                    "a=ptime:20"
                )
        )
        let fresh = SDPCrypto(tag: 1, suite: "AES_CM_128_HMAC_SHA1_80", keySalt: Array(repeating: 0xAB, count: 30))
        session.media[0].replaceCryptos(with: [fresh])
        #expect(session.media[0].attributes.map(\.name) == ["rtpmap", "crypto", "ptime"])
        #expect(session.media[0].cryptos == [fresh])
        #expect(try SDPSession(parsing: session.text) == session)
    }
}

@Suite("SDP editing helpers")
struct SDPEditingTests {
    @Test("setDirection replaces existing direction attributes")
    func setDirection() throws {
        var session = try SDPSession(parsing: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=sendonly", "a=ptime:20"))
        session.media[0].setDirection(.inactive)
        #expect(session.media[0].attributes == [SDPAttribute(name: "inactive"), SDPAttribute(name: "ptime", value: "20")])
        session.media[0].explicitDirection = nil
        #expect(session.media[0].direction == .sendrecv)
        session.explicitDirection = .recvonly
        #expect(session.effectiveDirection(of: session.media[0]) == .recvonly)
        #expect(try SDPSession(parsing: session.text) == session)
    }

    @Test("replaceConnection rewrites the media address and port, rtcp is settable")
    func replaceConnection() throws {
        var session = try SDPSession(parsing: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=rtcp:5005"))
        session.media[0].replaceConnection(address: "2001:db8::99", addressType: "IP6", port: 40000)
        session.media[0].rtcp = SDPRTCP(port: 40001)
        #expect(session.media[0].port == 40000)
        #expect(session.effectiveConnection(of: session.media[0])?.address == "2001:db8::99")
        #expect(session.text.contains("m=audio 40000 RTP/AVP 0\r\nc=IN IP6 2001:db8::99\r\na=rtcp:40001\r\n"))
        #expect(try SDPSession(parsing: session.text) == session)
    }
}

/// One malformed body and the error it must produce.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let reason: SDPParseError.Reason
    let line: Int

    var testDescription: String { self.name }
}

@Suite("SDP rejection of malformed input")
struct SDPRejectionTests {
    static let cases: [RejectionCase] = [
        RejectionCase(name: "empty body", text: "", reason: .missingVersion, line: 1),
        RejectionCase(
            name: "missing v=",
            text: sdp("o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0"),
            reason: .missingVersion,
            line: 1
        ),
        RejectionCase(
            name: "v=1",
            text: sdp("v=1", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0"),
            reason: .unsupportedVersion,
            line: 1
        ),
        RejectionCase(
            name: "o= with too few fields",
            text: sdp("v=0", "o=- 1 1 IN IP4", "s=-", "t=0 0"),
            reason: .malformedOrigin,
            line: 2
        ),
        RejectionCase(
            name: "o= with non-numeric session id",
            text: sdp("v=0", "o=- abc 1 IN IP4 192.0.2.1", "s=-", "t=0 0"),
            reason: .malformedOrigin,
            line: 2
        ),
        RejectionCase(
            name: "missing o=",
            text: sdp("v=0", "s=-", "t=0 0"),
            reason: .missingField("o"),
            line: 2
        ),
        RejectionCase(
            name: "missing s=",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "t=0 0"),
            reason: .missingField("s"),
            line: 3
        ),
        RejectionCase(
            name: "missing t= before m=",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "m=audio 5004 RTP/AVP 0"),
            reason: .missingField("t"),
            line: 5
        ),
        RejectionCase(
            name: "missing t= entirely",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-"),
            reason: .missingField("t"),
            line: 4
        ),
        RejectionCase(
            name: "t= with one field",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0"),
            reason: .malformedTime,
            line: 4
        ),
        RejectionCase(
            name: "t= overflowing 64 bits",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 99999999999999999999"),
            reason: .malformedTime,
            line: 4
        ),
        RejectionCase(
            name: "m= port above 65535",
            text: prefix + sdp("m=audio 65536 RTP/AVP 0"),
            reason: .malformedMedia,
            line: 6
        ),
        RejectionCase(
            name: "m= non-numeric port",
            text: prefix + sdp("m=audio 5x04 RTP/AVP 0"),
            reason: .malformedMedia,
            line: 6
        ),
        RejectionCase(
            name: "m= with no formats",
            text: prefix + sdp("m=audio 5004 RTP/AVP"),
            reason: .malformedMedia,
            line: 6
        ),
        RejectionCase(
            name: "m= RTP payload type above 127",
            text: prefix + sdp("m=audio 5004 RTP/AVP 128"),
            reason: .malformedMedia,
            line: 6
        ),
        RejectionCase(
            name: "m= with empty proto component",
            text: prefix + sdp("m=audio 5004 RTP//AVP 0"),
            reason: .malformedMedia,
            line: 6
        ),
        RejectionCase(
            name: "rtpmap with non-numeric payload type",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=rtpmap:x PCMU/8000"),
            reason: .malformedRTPMap,
            line: 7
        ),
        RejectionCase(
            name: "rtpmap with an empty clock rate",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=rtpmap:0 PCMU/"),
            reason: .malformedRTPMap,
            line: 7
        ),
        RejectionCase(
            name: "rtpmap with zero clock rate",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=rtpmap:0 PCMU/0"),
            reason: .malformedRTPMap,
            line: 7
        ),
        RejectionCase(
            name: "rtpmap clock rate overflowing 32 bits",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=rtpmap:0 PCMU/4294967296"),
            reason: .malformedRTPMap,
            line: 7
        ),
        RejectionCase(
            name: "duplicate rtpmap payload type",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=rtpmap:0 PCMA/8000"),
            reason: .malformedRTPMap,
            line: 8
        ),
        RejectionCase(
            name: "c= with bad network type",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=XX IP4 192.0.2.1", "t=0 0"),
            reason: .malformedConnection,
            line: 4
        ),
        RejectionCase(
            name: "c= with an out-of-range octet",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.256", "t=0 0"),
            reason: .malformedConnection,
            line: 4
        ),
        RejectionCase(
            name: "c= with an invalid IPv6 address",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP6 2001:db8:::1", "t=0 0"),
            reason: .malformedConnection,
            line: 4
        ),
        RejectionCase(
            name: "media without any connection data",
            text: sdp("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0", "m=audio 5004 RTP/AVP 0"),
            reason: .missingField("c"),
            line: 5
        ),
        RejectionCase(
            name: "a= with an empty name",
            text: prefix + sdp("a="),
            reason: .malformedAttribute(""),
            line: 6
        ),
        RejectionCase(
            name: "direction attribute with a value",
            text: prefix + sdp("a=sendonly:yes"),
            reason: .malformedAttribute("sendonly"),
            line: 6
        ),
        RejectionCase(
            name: "conflicting direction attributes",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=sendonly", "a=recvonly"),
            reason: .malformedAttribute("recvonly"),
            line: 8
        ),
        RejectionCase(
            name: "a=rtcp with a bad port",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "a=rtcp:70000"),
            reason: .malformedAttribute("rtcp"),
            line: 7
        ),
        RejectionCase(
            name: "line without '='",
            text: prefix + sdp("a"),
            reason: .malformedLine,
            line: 6
        ),
        RejectionCase(
            name: "upper-case line type",
            text: prefix + sdp("A=foo"),
            reason: .malformedLine,
            line: 6
        ),
        RejectionCase(
            name: "empty line in the middle",
            text: prefix + sdp("", "a=foo"),
            reason: .malformedLine,
            line: 6
        ),
        RejectionCase(
            name: "unknown line type",
            text: prefix + sdp("x=foo"),
            reason: .unknownLineType,
            line: 6
        ),
        RejectionCase(
            name: "NUL byte in a line",
            text: prefix + sdp("a=foo\u{0}bar"),
            reason: .invalidCharacter,
            line: 6
        ),
        RejectionCase(
            name: "ESC byte in a line",
            text: prefix + sdp("s\u{1B}=foo"),
            reason: .invalidCharacter,
            line: 6
        ),
        RejectionCase(
            name: "bare CR inside a line",
            text: prefix + sdp("a=foo\rbar"),
            reason: .invalidCharacter,
            line: 6
        ),
        RejectionCase(
            name: "o= after the first m=",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "o=- 1 1 IN IP4 192.0.2.1"),
            reason: .lineOutOfOrder,
            line: 7
        ),
        RejectionCase(
            name: "t= after the first m=",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "t=0 0"),
            reason: .lineOutOfOrder,
            line: 7
        ),
        RejectionCase(
            name: "r= not following t=",
            text: prefix + sdp("a=foo", "r=7d 1h 0"),
            reason: .lineOutOfOrder,
            line: 7
        ),
        RejectionCase(
            name: "second s= line",
            text: prefix + sdp("s=again"),
            reason: .duplicateLine,
            line: 6
        ),
        RejectionCase(
            name: "second c= in a media section",
            text: prefix + sdp("m=audio 5004 RTP/AVP 0", "c=IN IP4 192.0.2.2", "c=IN IP4 192.0.2.3"),
            reason: .duplicateLine,
            line: 8
        ),
        RejectionCase(
            name: "b= without a numeric value",
            text: prefix + sdp("b=AS:lots"),
            reason: .malformedBandwidth,
            line: 6
        ),
    ]

    @Test("rejects malformed SDP with the right reason and line", arguments: cases)
    func rejects(_ testCase: RejectionCase) {
        let error = parseError(testCase.text)
        #expect(error?.reason == testCase.reason)
        #expect(error?.line == testCase.line)
    }

    @Test("reports the byte offset of an invalid character")
    func invalidCharacterOffset() {
        let text = prefix + sdp("a=foo\u{1}")
        let error = parseError(text)
        #expect(error?.offset == prefix.utf8.count + 5)
        #expect(error?.description.contains("line 6") == true)
    }

    @Test("rejects more than 64 media sections")
    func tooManyMedia() {
        let media = String(repeating: "m=audio 5004 RTP/AVP 0\r\n", count: 65)
        let error = parseError(prefix + media)
        #expect(error?.reason == .tooManyMediaSections)
        #expect(error?.line == 5 + 65)
        let sixtyFour = String(repeating: "m=audio 5004 RTP/AVP 0\r\n", count: 64)
        #expect(parseError(prefix + sixtyFour) == nil)
    }

    @Test("rejects more than 1024 lines")
    func tooManyLines() {
        let attributes = String(repeating: "a=x\r\n", count: 1100)
        let error = parseError(prefix + attributes)
        #expect(error?.reason == .tooManyLines)
        #expect(error?.line == 1025)
    }

    @Test("never crashes on truncations and byte flips of a valid body")
    func mutationsDoNotCrash() throws {
        let base = Array(rfc4568Example.utf8)
        var generator = SystemRandomNumberGenerator()
        for length in 0...base.count {
            _ = try? SDPSession(parsing: base.prefix(length))
        }
        let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x20, 0x2F, 0x3A, 0x3D, 0x30, 0x39, 0x7F, 0xFF]
        for _ in 0..<2000 {
            var mutated = base
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                mutated[index] = interesting.randomElement(using: &generator) ?? 0
            }
            if let session = try? SDPSession(parsing: mutated) {
                #expect(try SDPSession(parsing: session.serialized()) == session)
            }
        }
    }
}

@Suite("SDP short rtpmap form")
struct SDPShortRTPMapTests {
    @Test("an rtpmap without clock rate (RFC 4475's 'a=rtpmap:31 LPC') parses and round-trips")
    func shortForm() throws {
        let text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n"
        let session = try SDPSession(parsing: text)
        #expect(session.media.first?.rtpMaps == [SDPRTPMap(payloadType: 31, encodingName: "LPC", clockRate: nil)])
        #expect(session.text == text)
    }
}
