import Foundation
import SIPCore
import Testing

@testable import TollgateMedia

@Suite("Media offer/answer through the anchor")
struct MediaNegotiationTests {
    static let phoneKey80 = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
    static let phoneKey32 = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_32)

    /// An SRTP offer as baresip (`mediaenc=srtp-mand`) makes it.
    static var phoneOffer: String {
        """
        v=0\r
        o=- 1234 5678 IN IP4 127.0.0.30\r
        s=-\r
        c=IN IP4 127.0.0.30\r
        t=0 0\r
        m=audio 4000 RTP/SAVP 0 8 101\r
        a=rtpmap:101 telephone-event/8000\r
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(SDPCrypto(tag: 1, suite: "x", keySalt: phoneKey80.keyAndSalt).keyParams[0].keySalt)\r
        a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:\(SDPCrypto(tag: 2, suite: "x", keySalt: phoneKey32.keyAndSalt).keyParams[0].keySalt)\r
        a=rtcp:4001 IN IP4 127.0.0.30\r
        a=sendrecv\r

        """
    }

    /// A plain answer from an Asterisk-like PBX.
    static let pbxAnswer = """
        v=0\r
        o=root 99 99 IN IP4 127.0.0.20\r
        s=Asterisk\r
        c=IN IP4 127.0.0.20\r
        t=0 0\r
        m=audio 10000 RTP/AVP 0 101\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=ptime:20\r
        a=sendrecv\r

        """

    static let pbxOffer = """
        v=0\r
        o=root 7 7 IN IP4 127.0.0.20\r
        s=Asterisk\r
        c=IN IP4 127.0.0.20\r
        t=0 0\r
        m=audio 12000 RTP/AVP 8 0\r
        a=rtpmap:8 PCMA/8000\r
        a=rtcp-mux\r

        """

    static func negotiation(outside: SRTPPolicy = .optional, inside: SRTPPolicy = .off,
                            outsideSuites: [SRTPProtectionProfile] = [.aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32]) -> MediaNegotiation {
        MediaNegotiation(inside: MediaSideSettings(address: "127.0.0.1", srtp: inside, suites: [.aesCM128HMACSHA1_80]),
                         outside: MediaSideSettings(address: "198.51.100.7", srtp: outside, suites: outsideSuites), sessionID: 42)
    }

    /// Hands out ports from a pool per side.
    final class Ports {
        var pools: [MediaSide: MediaPortPool] = [.inside: MediaPortPool(range: 20_000...20_099), .outside: MediaPortPool(range: 30_000...30_099)]
        func allocate(_ side: MediaSide, _ stream: Int) -> UInt16? { pools[side]!.allocate() }
    }

    @Test("an SRTP phone calling the PBX: plain RTP inside, SRTP outside, only Tollgate's addresses on each side")
    func phoneCallsPBX() throws {
        var media = Self.negotiation()
        let ports = Ports()
        let offer = try media.process(try SDPSession(parsing: Self.phoneOffer), from: .outside, isRequest: true, allocate: ports.allocate)
        #expect(offer.origin.address == "127.0.0.1" && offer.origin.username == "tollgate")
        #expect(offer.connection?.address == "127.0.0.1")
        #expect(offer.media[0].port == 20_000)
        #expect(offer.media[0].proto == "RTP/AVP")
        #expect(offer.media[0].cryptos.isEmpty)
        #expect(offer.media[0].rtcp == nil)
        #expect(offer.media[0].formats == ["0", "8", "101"])
        #expect(media.streams[.outside]![0].inboundKey == Self.phoneKey80, "the offerer's leg is keyed from its offer on")
        #expect(!media.streams[.inside]![0].awaitingAnswer, "a plain offer to the PBX leaves nothing to wait for")
        #expect(!offer.text.contains("127.0.0.30"), "the PBX never sees the phone's address")

        let answer = try media.process(try SDPSession(parsing: Self.pbxAnswer), from: .inside, isRequest: false, allocate: ports.allocate)
        let text = answer.text
        #expect(!text.contains("127.0.0.20"), "the phone never sees the PBX's address: \(text)")
        #expect(answer.connection?.address == "198.51.100.7" && answer.origin.address == "198.51.100.7")
        #expect(answer.media[0].port == 30_000)
        #expect(answer.media[0].proto == "RTP/SAVP")
        let crypto = try #require(answer.media[0].cryptos.first)
        #expect(answer.media[0].cryptos.count == 1)
        #expect(crypto.tag == 1 && crypto.suite == "AES_CM_128_HMAC_SHA1_80")
        #expect(crypto.keyAndSalt != Self.phoneKey80.keyAndSalt, "Tollgate sends with a key of its own")

        let outside = media.streams[.outside]![0]
        #expect(outside.inboundKey == Self.phoneKey80)
        #expect(outside.outboundKey?.keyAndSalt == crypto.keyAndSalt)
        #expect(outside.remoteAddress == "127.0.0.30" && outside.remotePort == 4000 && outside.remoteRTCPPort == 4001)
        let inside = media.streams[.inside]![0]
        #expect(!inside.isSRTP)
        #expect(inside.remoteAddress == "127.0.0.20" && inside.remotePort == 10_000 && inside.remoteRTCPPort == 10_001)
        #expect(inside.codec == "PCMU/8000" && outside.codec == "PCMU/8000")
        #expect(media.allocatedPorts.count == 2)
    }

    @Test("the PBX calling out: best-effort SRTP offered outside, taken up when the answer has a key, plain when it has none")
    func pbxCallsOut() throws {
        for answerHasKey in [true, false] {
            var media = Self.negotiation()
            let ports = Ports()
            let offer = try media.process(try SDPSession(parsing: Self.pbxOffer), from: .inside, isRequest: true, allocate: ports.allocate)
            #expect(offer.media[0].proto == "RTP/AVP")
            #expect(offer.media[0].cryptos.map(\.tag) == [1, 2])
            #expect(offer.media[0].cryptos.map(\.suite) == ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"])
            #expect(offer.media[0].firstAttribute(named: "rtcp-mux") != nil)
            #expect(media.streams[.outside]![0].awaitingAnswer, "until the answer, the trunk's packets cannot be read")
            #expect(!media.streams[.inside]![0].awaitingAnswer)
            let trunkKey = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_32)
            let keyLine = answerHasKey ? SDPCrypto(tag: 2, suite: "AES_CM_128_HMAC_SHA1_32", keySalt: trunkKey.keyAndSalt).attribute.lineValue : "a=sendrecv"
            let trunkAnswer = "v=0\r\no=- 1 1 IN IP4 127.0.0.10\r\ns=-\r\nc=IN IP4 127.0.0.10\r\nt=0 0\r\nm=audio 5004 RTP/AVP 8\r\n\(keyLine.hasPrefix("a=") ? keyLine : "a=" + keyLine)\r\n"
            let answer = try media.process(try SDPSession(parsing: trunkAnswer), from: .outside, isRequest: false, allocate: ports.allocate)
            #expect(answer.media[0].proto == "RTP/AVP")
            #expect(answer.media[0].cryptos.isEmpty, "the PBX's side is plain")
            #expect(answer.media[0].firstAttribute(named: "rtcp-mux") != nil, "the PBX offered rtcp-mux: Tollgate takes it")
            let outside = media.streams[.outside]![0]
            #expect(!outside.awaitingAnswer)
            #expect(outside.isSRTP == answerHasKey)
            if answerHasKey { #expect(outside.inboundKey == trunkKey && outside.outboundKey?.profile == .aesCM128HMACSHA1_32) }
            #expect(media.streams[.inside]![0].rtcpMux)
            #expect(!outside.rtcpMux, "the trunk did not accept rtcp-mux")
        }
    }

    @Test("an answer that renumbers the crypto tag is matched by its suite")
    func renumberedTag() throws {
        var media = Self.negotiation()
        let ports = Ports()
        _ = try media.process(try SDPSession(parsing: Self.pbxOffer), from: .inside, isRequest: true, allocate: ports.allocate)
        let key = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
        let trunkAnswer = "v=0\r\no=- 1 1 IN IP4 127.0.0.10\r\ns=-\r\nc=IN IP4 127.0.0.10\r\nt=0 0\r\nm=audio 5004 RTP/SAVP 8\r\n"
            + SDPCrypto(tag: 7, suite: "AES_CM_128_HMAC_SHA1_80", keySalt: key.keyAndSalt).attribute.lineValue.prefixed() + "\r\n"
        _ = try media.process(try SDPSession(parsing: trunkAnswer), from: .outside, isRequest: false, allocate: ports.allocate)
        #expect(media.streams[.outside]![0].inboundKey == key)
    }

    @Test("towards an SRTP PBX, one line: tag 1, AES_CM_128_HMAC_SHA1_80, no session parameters")
    func asteriskLine() throws {
        var media = Self.negotiation(inside: .required)
        let ports = Ports()
        let offer = try media.process(try SDPSession(parsing: Self.phoneOffer), from: .outside, isRequest: true, allocate: ports.allocate)
        #expect(offer.media[0].proto == "RTP/SAVP")
        let lines = offer.media[0].attributes(named: "crypto")
        #expect(lines.count == 1)
        let value = try #require(lines.first?.value)
        #expect(value.hasPrefix("1 AES_CM_128_HMAC_SHA1_80 inline:"))
        #expect(value.split(separator: " ").count == 3 && !value.contains("|"))
    }

    @Test("refusals: SRTP required with no crypto, SRTP insisted on where it is off, no ports")
    func refusals() throws {
        let plainOffer = Self.pbxOffer.replacingOccurrences(of: "127.0.0.20", with: "127.0.0.30")
        var required = Self.negotiation(outside: .required)
        #expect(throws: MediaRefusal(.srtpRequired, detail: "the outside side requires SRTP and the offer has no acceptable a=crypto")) {
            _ = try required.process(try SDPSession(parsing: plainOffer), from: .outside, isRequest: true, allocate: Ports().allocate)
        }
        var off = Self.negotiation(outside: .off)
        let phoneOffer = try SDPSession(parsing: Self.phoneOffer)
        do throws(MediaRefusal) {
            _ = try off.process(phoneOffer, from: .outside, isRequest: true, allocate: Ports().allocate)
            Issue.record("an SRTP-only offer was taken on a side whose policy is off")
        } catch {
            #expect(error.reason == .srtpUnacceptable && error.status == 488)
        }
        var unknownSuite = Self.negotiation()
        let onlyF8 = "v=0\r\no=- 1 1 IN IP4 127.0.0.30\r\ns=-\r\nc=IN IP4 127.0.0.30\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:\(SDPCrypto(tag: 1, suite: "x", keySalt: Self.phoneKey80.keyAndSalt).keyParams[0].keySalt)\r\n"
        #expect(throws: MediaRefusal.self) {
            _ = try unknownSuite.process(try SDPSession(parsing: onlyF8), from: .outside, isRequest: true, allocate: Ports().allocate)
        }
        var exhausted = Self.negotiation()
        do throws(MediaRefusal) {
            _ = try exhausted.process(phoneOffer, from: .outside, isRequest: true, allocate: { _, _ in nil })
            Issue.record("an offer was taken with no ports")
        } catch {
            #expect(error.reason == .portsExhausted && error.status == 503)
        }
    }

    @Test("a crypto line with an MKI or session parameters is passed over for the next")
    func skipsUnsupportedLines() throws {
        let key = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
        let encoded = SDPCrypto(tag: 1, suite: "x", keySalt: key.keyAndSalt).keyParams[0].keySalt
        let other = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
        let otherEncoded = SDPCrypto(tag: 1, suite: "x", keySalt: other.keyAndSalt).keyParams[0].keySalt
        let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.30\r\ns=-\r\nc=IN IP4 127.0.0.30\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n"
            + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(encoded)|2^20|1:4\r\n"
            + "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:\(encoded) KDR=1\r\n"
            + "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:\(otherEncoded.trimmingCharacters(in: ["="]))\r\n"
        var media = Self.negotiation()
        let ports = Ports()
        _ = try media.process(try SDPSession(parsing: offer), from: .outside, isRequest: true, allocate: ports.allocate)
        let answer = try media.process(try SDPSession(parsing: Self.pbxAnswer), from: .inside, isRequest: false, allocate: ports.allocate)
        #expect(answer.media[0].cryptos.first?.tag == 3)
        #expect(media.streams[.outside]![0].inboundKey == other, "a key without base64 padding is read")
    }

    @Test("a re-INVITE keeps ports and Tollgate's keys; hold passes its direction through")
    func reInvite() throws {
        var media = Self.negotiation()
        let ports = Ports()
        _ = try media.process(try SDPSession(parsing: Self.phoneOffer), from: .outside, isRequest: true, allocate: ports.allocate)
        let first = try media.process(try SDPSession(parsing: Self.pbxAnswer), from: .inside, isRequest: false, allocate: ports.allocate)
        let held = Self.pbxOffer.replacingOccurrences(of: "a=rtcp-mux", with: "a=sendonly")
        let reOffer = try media.process(try SDPSession(parsing: held), from: .inside, isRequest: true, allocate: ports.allocate)
        #expect(reOffer.media[0].port == 30_000, "the same port towards the phone")
        #expect(reOffer.media[0].direction == .sendonly)
        #expect(reOffer.origin.sessionVersion == "2")
        let phoneAnswer = Self.phoneOffer.replacingOccurrences(of: "a=crypto:2 AES_CM_128_HMAC_SHA1_32", with: "a=x-unused:2")
            .replacingOccurrences(of: "a=sendrecv", with: "a=recvonly")
        _ = try media.process(try SDPSession(parsing: phoneAnswer), from: .outside, isRequest: false, allocate: ports.allocate)
        #expect(media.streams[.outside]![0].outboundKey?.keyAndSalt == first.media[0].cryptos.first?.keyAndSalt,
                "the key Tollgate sends with towards the phone is unchanged")
        #expect(ports.pools[.outside]!.allocated == 1 && ports.pools[.inside]!.allocated == 1)
    }

    @Test("a late offer in the 200 is answered in the ACK; 183 then 200 carry the same answer")
    func lateOfferAndEarlyMedia() throws {
        var late = Self.negotiation()
        let ports = Ports()
        let offer = try late.process(try SDPSession(parsing: Self.pbxAnswer), from: .inside, isRequest: false, allocate: ports.allocate)
        #expect(offer.media[0].cryptos.count == 2, "the 200's SDP is an offer towards the outside")
        let ack = try late.process(try SDPSession(parsing: Self.phoneOffer.replacingOccurrences(of: "RTP/SAVP 0 8 101", with: "RTP/AVP 0")),
                                   from: .outside, isRequest: true, isAcknowledgement: true, allocate: ports.allocate)
        #expect(ack.media[0].port == 20_000 && ack.connection?.address == "127.0.0.1")

        var early = Self.negotiation()
        _ = try early.process(try SDPSession(parsing: Self.phoneOffer), from: .outside, isRequest: true, allocate: ports.allocate)
        let ringing = try early.process(try SDPSession(parsing: Self.pbxAnswer), from: .inside, isRequest: false, allocate: ports.allocate)
        let answered = try early.process(try SDPSession(parsing: Self.pbxAnswer), from: .inside, isRequest: false, allocate: ports.allocate)
        #expect(ringing.media[0].cryptos == answered.media[0].cryptos)
        #expect(ringing.media[0].port == answered.media[0].port)
    }

    @Test("streams that cannot be anchored are declined with port 0; fax over UDPTL is relayed as it is")
    func otherStreams() throws {
        let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.30\r\ns=-\r\nc=IN IP4 127.0.0.30\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\nm=image 4010 udptl t38\r\nm=audio 4020 UDP/TLS/RTP/SAVP 0\r\na=fingerprint:sha-256 AA:BB\r\n"
        var media = Self.negotiation()
        let ports = Ports()
        let out = try media.process(try SDPSession(parsing: offer), from: .outside, isRequest: true, allocate: ports.allocate)
        #expect(out.media.map(\.port) == [20_000, 0, 20_002, 0])
        #expect(out.media[3].firstAttribute(named: "fingerprint") == nil)
        #expect(media.streams[.outside]!.map(\.kind) == [.rtp, .disabled, .datagram, .disabled])
    }
}

extension String {
    /// An attribute's line value with its `a=` prefix.
    fileprivate func prefixed() -> String { "a=" + self }
}
