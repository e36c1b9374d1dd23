import Benchmark
import SIPCore

/// A typical INVITE from a desk phone through a PBX: 900 bytes with SDP.
let invite: [UInt8] = Array("""
    INVITE sip:+441632960123@trunk.example.net;user=phone SIP/2.0\r
    Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-524287-1---77ba0a2c7e3c;rport\r
    Max-Forwards: 70\r
    Contact: <sip:201@192.0.2.20:5060;transport=udp>\r
    To: <sip:+441632960123@trunk.example.net;user=phone>\r
    From: "Reception" <sip:201@pbx.example.com>;tag=4f8a2c1e\r
    Call-ID: 8d1c9e0f5b2a4c7d9e3f1a6b8c0d2e4f@192.0.2.20\r
    CSeq: 102 INVITE\r
    Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r
    Content-Type: application/sdp\r
    Supported: replaces, timer\r
    User-Agent: Yealink SIP-T54W 96.86.0.70\r
    P-Asserted-Identity: "Reception" <sip:201@pbx.example.com>\r
    Session-Expires: 1800;refresher=uac\r
    Content-Length: 323\r
    \r
    v=0\r
    o=- 20518 0 IN IP4 192.0.2.20\r
    s=SDP data\r
    c=IN IP4 192.0.2.20\r
    t=0 0\r
    m=audio 11424 RTP/AVP 9 0 8 18 101\r
    a=rtpmap:9 G722/8000\r
    a=rtpmap:0 PCMU/8000\r
    a=rtpmap:8 PCMA/8000\r
    a=rtpmap:18 G729/8000\r
    a=fmtp:18 annexb=no\r
    a=rtpmap:101 telephone-event/8000\r
    a=fmtp:101 0-15\r
    a=ptime:20\r
    a=maxptime:60\r
    a=sendrecv\r
    a=rtcp:11425\r

    """.utf8)

let register: [UInt8] = Array("""
    REGISTER sip:pbx.example.com SIP/2.0\r
    Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1702382910;rport\r
    From: "Sales 204" <sip:204@pbx.example.com>;tag=1983746521\r
    To: "Sales 204" <sip:204@pbx.example.com>\r
    Call-ID: 0_2837461928@198.51.100.7\r
    CSeq: 2 REGISTER\r
    Contact: <sip:204@198.51.100.7:5060>;expires=3600\r
    Authorization: Digest username="204", realm="pbx.example.com", nonce="5f2b7c9d1e3a4b6c", uri="sip:pbx.example.com", response="8a1f2e3d4c5b6a7980f1e2d3c4b5a697", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001\r
    Max-Forwards: 70\r
    User-Agent: Grandstream GXP2170 1.0.11.3\r
    Expires: 3600\r
    Allow: INVITE, ACK, OPTIONS, CANCEL, BYE, SUBSCRIBE, NOTIFY, INFO, REFER, UPDATE\r
    Content-Length: 0\r
    \r

    """.utf8)

let ok: [UInt8] = Array("""
    SIP/2.0 200 OK\r
    Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-524287-1---77ba0a2c7e3c;rport=5060;received=192.0.2.20\r
    Record-Route: <sip:203.0.113.5;lr>\r
    Contact: <sip:+441632960123@203.0.113.80:5060>\r
    To: <sip:+441632960123@trunk.example.net;user=phone>;tag=as6d7f8g\r
    From: "Reception" <sip:201@pbx.example.com>;tag=4f8a2c1e\r
    Call-ID: 8d1c9e0f5b2a4c7d9e3f1a6b8c0d2e4f@192.0.2.20\r
    CSeq: 102 INVITE\r
    Server: Carrier SBC\r
    Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r
    Supported: replaces, timer\r
    Content-Length: 0\r
    \r

    """.utf8)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .instructions, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    Benchmark("Parse INVITE with SDP (900 B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SIPMessage(parsing: invite))
        }
    }

    Benchmark("Parse REGISTER with Authorization") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SIPMessage(parsing: register))
        }
    }

    Benchmark("Parse 200 OK") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SIPMessage(parsing: ok))
        }
    }

    let parsedInvite = try! SIPMessage(parsing: invite)
    Benchmark("Typed access: top Via, From, To, CSeq, Call-ID") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try parsedInvite.topVia()?.branch)
            blackHole(try parsedInvite.from().tag)
            blackHole(try parsedInvite.to().uri)
            blackHole(try parsedInvite.cseq())
            blackHole(try parsedInvite.callID())
        }
    }

    Benchmark("Serialise INVITE") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(parsedInvite.serialized())
        }
    }

    Benchmark("Proxy hop: parse, add Via, serialise") { benchmark in
        for _ in benchmark.scaledIterations {
            var message = try SIPMessage(parsing: invite)
            message.prependHeader(.via, "SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKtg1")
            blackHole(message.serialized())
        }
    }

    Benchmark("Validate INVITE (proxy rules, SDP)") { benchmark in
        for _ in benchmark.scaledIterations {
            try parsedInvite.validate()
        }
    }

    let withoutSDP = SIPValidationOptions(checksSDP: false)
    Benchmark("Validate INVITE (proxy rules, SDP not parsed)") { benchmark in
        for _ in benchmark.scaledIterations {
            try parsedInvite.validate(withoutSDP)
        }
    }

    let parsedOK = try! SIPMessage(parsing: ok)
    Benchmark("Validate 200 OK") { benchmark in
        for _ in benchmark.scaledIterations {
            try parsedOK.validate()
        }
    }
}
