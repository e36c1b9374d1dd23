import Foundation
import SIPCore

/// The requests the active checks send: plain, honest SIP (a `User-Agent` that says it is Tollgate's
/// audit, so the checked system's logs show who asked).
enum ProbeRequests {
    static let userAgent = "Tollgate audit"

    static func token(_ count: Int = 12) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<count).map { _ in alphabet.randomElement() ?? "x" })
    }

    static func make(_ method: SIPMethod, user: String?, probe: SIPProbe, callID: String = token(), cseq: Int = 1, fromUser: String? = nil,
                     extraHeaders: [(SIPHeaderName, String)] = [], body: String? = nil) -> SIPMessage {
        let host = probe.targetHostPort
        let uri = user.map { "sip:\($0)@\(host)" } ?? "sip:\(host)"
        let local = probe.localAddress.contains(":") ? "[\(probe.localAddress)]" : probe.localAddress
        let fromURI = "sip:\(fromUser ?? user ?? "audit")@\(host)"
        var headers: [(SIPHeaderName, String)] = [
            (.via, "SIP/2.0/UDP \(local):\(probe.localPort);branch=\(SIPVia.magicCookie)\(token(16));rport"),
            (.maxForwards, "70"),
            (.from, "<\(fromURI)>;tag=\(token(8))"),
            (.to, method == .register ? "<\(fromURI)>" : "<\(uri)>"),
            (.callID, callID),
            (.cseq, "\(cseq) \(method.token)"),
            (.contact, "<sip:\(fromUser ?? user ?? "audit")@\(local):\(probe.localPort)>"),
            (.userAgent, userAgent),
        ]
        if method == .register { headers.append((.expires, "60")) }
        headers += extraHeaders
        var message = SIPMessage(method: method, uri: method == .register ? "sip:\(host)" : uri, headers: headers)
        if let body {
            message.setHeader(.contentType, "application/sdp")
            message.body = Array(body.utf8)
        }
        message.setHeader(.contentLength, String(message.body.count))
        return message
    }

    /// An SDP offer with SRTP (RTP/SAVP and an SDES key), to see whether SRTP is taken.
    static func srtpOffer(probe: SIPProbe) -> String {
        let key = Data((0..<30).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let family = probe.localAddress.contains(":") ? "IP6" : "IP4"
        return """
            v=0\r
            o=tollgate 1 1 IN \(family) \(probe.localAddress)\r
            s=-\r
            c=IN \(family) \(probe.localAddress)\r
            t=0 0\r
            m=audio 49170 RTP/SAVP 0 8\r
            a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(key)\r
            a=sendrecv\r

            """
    }
}
