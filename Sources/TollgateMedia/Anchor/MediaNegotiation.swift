import SIPCore

/// The offer/answer of one anchored call (RFC 3264), seen from the middle: each SDP that crosses
/// Tollgate is rewritten so that both sides see only Tollgate's address and ports, and each side gets
/// the SRTP its policy asks for. Pure: ports come from the caller, keys from the system's random
/// source, and the result is the SDP to forward plus the per-side plans the relay follows.
///
/// Which SDP is an offer and which an answer follows from the order they cross, not from the
/// message that carries them, so late offers (an INVITE without SDP, the offer in the 200, the answer
/// in the ACK), early media (183, then 200 with the same answer) and re-INVITEs from either side all
/// take the same path.
public struct MediaNegotiation: Sendable {
    /// The settings of each side.
    public private(set) var settings: [MediaSide: MediaSideSettings]
    /// Each side's streams, by `m=` line.
    public private(set) var streams: [MediaSide: [MediaStreamPlan]] = [.inside: [], .outside: []]
    private var state: State = .idle
    /// Tollgate's own keys, by side, stream and suite: a re-offer reuses them, so a peer keeps its context.
    private var localKeys: [MediaSide: [Int: [SRTPProtectionProfile: SRTPMasterKey]]] = [.inside: [:], .outside: [:]]
    private var originVersion: [MediaSide: UInt64] = [.inside: 0, .outside: 0]
    private let sessionID: UInt64

    private enum State: Sendable {
        case idle
        case offered(by: MediaSide, PendingOffer)
        case answered(offerer: MediaSide, PendingOffer)
    }

    /// What the answer to an offer needs from it, per stream.
    private struct PendingOffer: Sendable {
        /// The crypto line the offerer's stream will use (its tag, suite and key), nil for plain.
        var offererCrypto: [Int: AcceptedCrypto] = [:]
        /// The offerer's transport protocol per stream (answered in kind).
        var offererProto: [Int: String] = [:]
        /// Whether the offerer offered rtcp-mux per stream.
        var offererMux: [Int: Bool] = [:]
    }

    private struct AcceptedCrypto: Sendable {
        var tag: UInt32
        var key: SRTPMasterKey
    }

    /// A call's negotiation; `sessionID` names Tollgate's `o=` session towards both sides.
    public init(inside: MediaSideSettings, outside: MediaSideSettings, sessionID: UInt64) {
        settings = [.inside: inside, .outside: outside]
        self.sessionID = sessionID
    }

    /// Changes a side's settings for the offers and answers to come (a failed-over INVITE goes to
    /// another trunk, with its own SRTP policy). Keys already given to the side stay.
    public mutating func setSettings(_ side: MediaSide, _ newSettings: MediaSideSettings) {
        settings[side] = newSettings
    }

    /// Every RTP port this call holds, by side (to release when it ends).
    public var allocatedPorts: [(side: MediaSide, port: UInt16)] {
        MediaSide.allCases.flatMap { side in (streams[side] ?? []).filter { $0.localPort != 0 }.map { (side, $0.localPort) } }
    }

    /// Takes an SDP from `side` and returns the one to forward to the other side.
    ///
    /// - Parameters:
    ///   - sdp: The SDP as it arrived.
    ///   - side: The side it came from.
    ///   - isRequest: Whether a request carries it (an INVITE, UPDATE or ACK) rather than a response.
    ///   - isAcknowledgement: Whether that request is an ACK (which can only answer).
    ///   - allocate: Gives an RTP port (even; RTCP above it) on a side for a stream (its `m=` line's
    ///     index), nil when none is free.
    /// - Throws: ``MediaRefusal`` when the offer cannot be taken (SRTP policy, no ports): the gateway
    ///   answers it with the refusal's status.
    public mutating func process(_ sdp: SDPSession, from side: MediaSide, isRequest: Bool, isAcknowledgement: Bool = false,
                                 allocate: (MediaSide, Int) -> UInt16?) throws(MediaRefusal) -> SDPSession {
        switch state {
        case .offered(let offerer, let pending) where offerer != side && (!isRequest || isAcknowledgement):
            return answer(sdp, from: side, pending: pending)
        case .answered(let offerer, let pending) where offerer != side && !isRequest:
            // The same answer again: 183 then 200, or a retransmission.
            return answer(sdp, from: side, pending: pending)
        default:
            return try offer(sdp, from: side, allocate: allocate)
        }
    }

    // MARK: - Offer

    private mutating func offer(_ sdp: SDPSession, from offerer: MediaSide, allocate: (MediaSide, Int) -> UInt16?) throws(MediaRefusal) -> SDPSession {
        let answerer = offerer.opposite
        let offererSettings = settings[offerer]!
        let answererSettings = settings[answerer]!
        var pending = PendingOffer()
        var out = sdp
        rewriteSession(&out, towards: answerer)

        for (index, media) in sdp.media.enumerated() {
            let kind = Self.kind(of: media)
            var offererStream = stream(offerer, index, kind: kind)
            var answererStream = stream(answerer, index, kind: kind)
            guard kind != .disabled else {
                offererStream.kind = .disabled
                answererStream.kind = .disabled
                out.media[index].port = 0
                Self.stripTransportAttributes(&out.media[index])
                setStream(offerer, index, offererStream)
                setStream(answerer, index, answererStream)
                continue
            }
            if offererStream.localPort == 0 {
                guard let port = allocate(offerer, index) else { throw MediaRefusal(.portsExhausted, detail: "no free media port on the \(offerer) side") }
                offererStream.localPort = port
                setStream(offerer, index, offererStream)
            }
            if answererStream.localPort == 0 {
                guard let port = allocate(answerer, index) else { throw MediaRefusal(.portsExhausted, detail: "no free media port on the \(answerer) side") }
                answererStream.localPort = port
                setStream(answerer, index, answererStream)
            }
            offererStream.kind = kind
            answererStream.kind = kind
            offererStream.onHold = Self.isHold(media, session: sdp)
            answererStream.onHold = offererStream.onHold
            Self.noteRemote(media, session: sdp, into: &offererStream)
            let offersMux = media.firstAttribute(named: "rtcp-mux") != nil
            pending.offererMux[index] = offersMux
            pending.offererProto[index] = media.proto

            var outgoing = media
            outgoing.port = answererStream.localPort
            outgoing.connection = nil
            Self.stripTransportAttributes(&outgoing)
            if kind == .rtp {
                let insists = media.proto.uppercased().contains("SAVP")
                let acceptable = Self.acceptableCrypto(in: media)
                switch offererSettings.srtp {
                case .off where insists:
                    throw MediaRefusal(.srtpUnacceptable, detail: "the \(offerer) side offers only SRTP (\(media.proto)) and its policy is off")
                case .off:
                    break
                case .required:
                    guard let acceptable else {
                        throw MediaRefusal(.srtpRequired, detail: "the \(offerer) side requires SRTP and the offer has no acceptable a=crypto")
                    }
                    pending.offererCrypto[index] = acceptable
                case .optional:
                    if insists, acceptable == nil {
                        throw MediaRefusal(.srtpUnacceptable, detail: "the offer insists on SRTP (\(media.proto)) with no acceptable a=crypto")
                    }
                    pending.offererCrypto[index] = acceptable
                }
                let feedback = media.proto.uppercased().hasSuffix("F")
                switch answererSettings.srtp {
                case .required:
                    outgoing.proto = feedback ? "RTP/SAVPF" : "RTP/SAVP"
                    outgoing.attributes += offerLines(to: answerer, stream: index).map(\.attribute)
                case .optional:
                    outgoing.proto = feedback ? "RTP/AVPF" : "RTP/AVP"
                    outgoing.attributes += offerLines(to: answerer, stream: index).map(\.attribute)
                case .off:
                    outgoing.proto = feedback ? "RTP/AVPF" : "RTP/AVP"
                }
                // A new offer with crypto: until the answer says which key (if any) the answerer
                // took, its packets cannot be read; an offer without crypto leaves it plain.
                let offersCrypto = answererSettings.srtp != .off
                answererStream.awaitingAnswer = offersCrypto && !answererStream.isSRTP
                if !offersCrypto {
                    answererStream.inboundKey = nil
                    answererStream.outboundKey = nil
                }
                // The offerer's own leg is known now: Tollgate will answer its crypto with a key of its own.
                if let accepted = pending.offererCrypto[index] {
                    offererStream.inboundKey = accepted.key
                    offererStream.outboundKey = localKey(for: offerer, stream: index, profile: accepted.key.profile)
                } else {
                    offererStream.inboundKey = nil
                    offererStream.outboundKey = nil
                }
                offererStream.awaitingAnswer = false
                if offersMux { outgoing.attributes.append(SDPAttribute(name: "rtcp-mux")) }
            }
            out.media[index] = outgoing
            setStream(offerer, index, offererStream)
            setStream(answerer, index, answererStream)
        }
        state = .offered(by: offerer, pending)
        return out
    }

    // MARK: - Answer

    private mutating func answer(_ sdp: SDPSession, from answerer: MediaSide, pending: PendingOffer) -> SDPSession {
        let offerer = answerer.opposite
        var out = sdp
        rewriteSession(&out, towards: offerer)
        for (index, media) in sdp.media.enumerated() {
            guard index < (streams[answerer]?.count ?? 0), index < (streams[offerer]?.count ?? 0) else {
                out.media[index].port = 0
                continue
            }
            var answererStream = streams[answerer]![index]
            var offererStream = streams[offerer]![index]
            var outgoing = media
            outgoing.connection = nil
            Self.stripTransportAttributes(&outgoing)
            if let proto = pending.offererProto[index] { outgoing.proto = proto }
            guard answererStream.kind != .disabled, media.port != 0 else {
                outgoing.port = 0
                out.media[index] = outgoing
                answererStream.awaitingAnswer = false
                setStream(answerer, index, answererStream)
                continue
            }
            Self.noteRemote(media, session: sdp, into: &answererStream)
            answererStream.awaitingAnswer = false
            answererStream.onHold = answererStream.onHold || Self.isHold(media, session: sdp)
            offererStream.onHold = answererStream.onHold
            outgoing.port = offererStream.localPort
            let muxOffered = pending.offererMux[index] ?? false
            answererStream.rtcpMux = muxOffered && media.firstAttribute(named: "rtcp-mux") != nil
            offererStream.rtcpMux = muxOffered
            if muxOffered { outgoing.attributes.append(SDPAttribute(name: "rtcp-mux")) }

            if answererStream.kind == .rtp {
                // The answerer's key for the line it took: by the tag we offered, or by suite when it renumbered the tag.
                let offered = offerLines(to: answerer, stream: index, creating: false)
                let lines = media.cryptos
                let taken = lines.first { line in offered.contains { $0.tag == line.tag && $0.suite == line.suite } }
                    ?? lines.first { line in offered.contains { $0.suite == line.suite } }
                if settings[answerer]!.srtp != .off, let taken, let profile = SRTPProtectionProfile(sdesName: taken.suite),
                   let bytes = taken.keyAndSalt, let theirs = try? SRTPMasterKey(profile: profile, keyAndSalt: bytes),
                   let ours = localKeys[answerer]?[index]?[profile] {
                    answererStream.inboundKey = theirs
                    answererStream.outboundKey = ours
                } else {
                    answererStream.inboundKey = nil
                    answererStream.outboundKey = nil
                }
                if let accepted = pending.offererCrypto[index] {
                    let ours = localKey(for: offerer, stream: index, profile: accepted.key.profile)
                    outgoing.attributes.append(SDPCrypto(tag: accepted.tag, suite: accepted.key.profile.sdesName, keySalt: ours.keyAndSalt).attribute)
                    offererStream.inboundKey = accepted.key
                    offererStream.outboundKey = ours
                } else {
                    offererStream.inboundKey = nil
                    offererStream.outboundKey = nil
                }
                let codec = Self.codec(of: media)
                answererStream.codec = codec
                offererStream.codec = codec
            }
            out.media[index] = outgoing
            setStream(answerer, index, answererStream)
            setStream(offerer, index, offererStream)
        }
        state = .answered(offerer: offerer, pending)
        return out
    }

    // MARK: - Pieces

    /// `o=` and `c=` name Tollgate on `side`; media-level addresses and ICE go.
    private mutating func rewriteSession(_ sdp: inout SDPSession, towards side: MediaSide) {
        let own = settings[side]!
        originVersion[side, default: 0] += 1
        sdp.origin = SDPOrigin(username: "tollgate", sessionID: String(sessionID), sessionVersion: String(originVersion[side]!),
                               addressType: own.addressType, address: own.address)
        sdp.connection = SDPConnection(addressType: own.addressType, address: own.address)
        sdp.attributes.removeAll { Self.transportAttributes.contains($0.name.lowercased()) }
    }

    /// Attributes that describe the peer's own transport, which the other side must not see.
    static let transportAttributes: Set<String> = [
        "crypto", "rtcp", "rtcp-mux", "candidate", "remote-candidates", "end-of-candidates", "ice-ufrag", "ice-pwd", "ice-lite",
        "ice-options", "ice-mismatch", "fingerprint", "setup", "tls-id",
    ]

    private static func stripTransportAttributes(_ media: inout SDPMedia) {
        media.attributes.removeAll { transportAttributes.contains($0.name.lowercased()) }
    }

    private static func kind(of media: SDPMedia) -> MediaStreamPlan.Kind {
        guard media.port != 0 else { return .disabled }
        let proto = media.proto.uppercased()
        if ["RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF"].contains(proto) { return .rtp }
        if proto == "UDPTL" || proto == "UDP" { return .datagram }
        // DTLS-SRTP, TCP and the rest cannot be anchored here: the stream is declined.
        return .disabled
    }

    /// Whether an `m=` line puts its stream on hold: a direction other than sendrecv, or the old
    /// form, a connection address of 0.0.0.0.
    static func isHold(_ media: SDPMedia, session: SDPSession) -> Bool {
        session.effectiveDirection(of: media) != .sendrecv || (media.connection ?? session.connection)?.baseAddress == "0.0.0.0"
    }

    private static func noteRemote(_ media: SDPMedia, session: SDPSession, into stream: inout MediaStreamPlan) {
        stream.remoteAddress = (media.connection ?? session.connection)?.baseAddress
        stream.remotePort = media.port
        stream.remoteRTCPPort = media.rtcp?.port ?? (media.port == 65_535 ? 0 : media.port + 1)
    }

    /// The first `a=crypto` line Tollgate can take: a known suite, one inline key of the right length,
    /// no MKI, no session parameters (as Asterisk's res_srtp).
    private static func acceptableCrypto(in media: SDPMedia) -> AcceptedCrypto? {
        for line in media.cryptos {
            guard let profile = SRTPProtectionProfile(sdesName: line.suite), line.keyParams.count == 1,
                  line.keyParams[0].mki == nil, line.sessionParams.isEmpty,
                  let bytes = line.keyAndSalt, let key = try? SRTPMasterKey(profile: profile, keyAndSalt: bytes)
            else { continue }
            return AcceptedCrypto(tag: line.tag, key: key)
        }
        return nil
    }

    /// Tollgate's crypto lines towards `side` for a stream: one per configured suite, tags from 1.
    private mutating func offerLines(to side: MediaSide, stream index: Int, creating: Bool = true) -> [SDPCrypto] {
        settings[side]!.suites.enumerated().compactMap { offset, profile in
            let key = creating ? localKey(for: side, stream: index, profile: profile) : localKeys[side]?[index]?[profile]
            return key.map { SDPCrypto(tag: UInt32(offset + 1), suite: profile.sdesName, keySalt: $0.keyAndSalt) }
        }
    }

    private mutating func localKey(for side: MediaSide, stream index: Int, profile: SRTPProtectionProfile) -> SRTPMasterKey {
        if let key = localKeys[side]?[index]?[profile] { return key }
        let key = SRTPMasterKey.random(profile: profile)
        localKeys[side, default: [:]][index, default: [:]][profile] = key
        return key
    }

    private func stream(_ side: MediaSide, _ index: Int, kind: MediaStreamPlan.Kind) -> MediaStreamPlan {
        let list = streams[side] ?? []
        return index < list.count ? list[index] : MediaStreamPlan(kind: kind, localPort: 0)
    }

    private mutating func setStream(_ side: MediaSide, _ index: Int, _ plan: MediaStreamPlan) {
        var list = streams[side] ?? []
        while list.count <= index { list.append(MediaStreamPlan(kind: .disabled, localPort: 0)) }
        list[index] = plan
        streams[side] = list
    }

    /// The first format's encoding (`PCMU/8000`), from its rtpmap or the static payload types.
    static func codec(of media: SDPMedia) -> String? {
        guard let first = media.formats.first else { return nil }
        if let type = UInt8(first), let map = media.rtpMap(forPayloadType: type) {
            return map.clockRate.map { "\(map.encodingName)/\($0)" } ?? map.encodingName
        }
        let statics = ["0": "PCMU/8000", "3": "GSM/8000", "4": "G723/8000", "8": "PCMA/8000", "9": "G722/8000", "18": "G729/8000"]
        return statics[first]
    }
}
