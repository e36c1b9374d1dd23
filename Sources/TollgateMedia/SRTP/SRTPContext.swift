/// SRTP and SRTCP (RFC 3711) for one direction of one media leg: protects what Tollgate sends, or
/// unprotects what it receives, under one master key at a time. Works in place on the packet's
/// bytes; per SSRC it keeps the rollover counter and the replay list, across changes of key.
public struct SRTPContext: Sendable {
    /// Bytes a protected packet may grow by: the largest tag (16) and the SRTCP index (4).
    public static let maximumOverhead = 20
    /// At most this many SSRCs are remembered; the one idle longest makes way for a new one.
    static let maximumStreams = 64
    /// Packets one master key may protect (RFC 3711 §9.2): 2^48 SRTP, 2^31 SRTCP.
    static let rtpPacketLimit: UInt64 = 1 << 48
    static let rtcpPacketLimit: UInt64 = 1 << 31

    /// The master key in use.
    public private(set) var key: SRTPMasterKey
    private var rtp: SRTPTransform
    private var rtcp: SRTPTransform
    private var streams: [UInt32: SRTPStreamState] = [:]
    private var rtcpStreams: [UInt32: SRTCPStreamState] = [:]
    private var rtpPackets: UInt64 = 0
    private var rtcpPackets: UInt64 = 0
    private var clock: UInt64 = 0

    /// A context for `key`.
    public init(key: SRTPMasterKey) {
        self.key = key
        (rtp, rtcp) = Self.transforms(for: key)
    }

    private static func transforms(for key: SRTPMasterKey) -> (SRTPTransform, SRTPTransform) {
        (SRTPTransform(profile: key.profile, keys: SRTPSessionKeys(profile: key.profile, masterKey: key.key, masterSalt: key.salt, rtcp: false)),
         SRTPTransform(profile: key.profile, keys: SRTPSessionKeys(profile: key.profile, masterKey: key.key, masterSalt: key.salt, rtcp: true)))
    }

    /// Switches to `newKey` (a re-INVITE with a new `a=crypto`). The streams keep their rollover
    /// counters and replay lists; an unchanged key changes nothing.
    public mutating func rekey(_ newKey: SRTPMasterKey) {
        guard newKey != key else { return }
        key = newKey
        (rtp, rtcp) = Self.transforms(for: newKey)
        rtpPackets = 0
        rtcpPackets = 0
    }

    /// The rollover counter kept for `ssrc`, if the stream is known.
    public func rolloverCounter(of ssrc: UInt32) -> UInt32? { streams[ssrc]?.rolloverCounter }

    // MARK: - SRTP

    /// Protects the RTP packet in `buffer[0..<length]` in place and returns the protected length
    /// (`length` plus the tag). `buffer` must have room for ``maximumOverhead`` more bytes.
    public mutating func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        let tagLength = key.profile.rtpTagLength
        guard length <= buffer.count, buffer.count - length >= tagLength else { throw .noRoom }
        let packet = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
        let header = try RTPHeader(parsing: UnsafeRawBufferPointer(packet))
        guard rtpPackets < Self.rtpPacketLimit else { throw .keyExhausted }

        let state = streams[header.ssrc] ?? SRTPStreamState(highestSequence: header.sequenceNumber)
        guard let (rolloverCounter, index) = state.estimate(header.sequenceNumber) else { throw .tooOld(index: UInt64(header.sequenceNumber)) }
        switch state.replay.check(index) {
        case .fresh: break
        case .replayed, .tooOld: throw .indexReused(index: index)
        }

        let payload = UnsafeMutableRawBufferPointer(rebasing: buffer[header.length..<length])
        let tag = UnsafeMutableRawBufferPointer(rebasing: buffer[length..<(length + tagLength)])
        if key.profile.isAEAD {
            let nonce = rtp.rtpNonce(ssrc: header.ssrc, rolloverCounter: rolloverCounter, sequence: header.sequenceNumber)
            rtp.seal(payload, authenticating: UnsafeRawBufferPointer(rebasing: buffer[0..<header.length]), nonce: nonce, tag: tag)
        } else {
            rtp.applyKeystream(to: payload, ssrc: header.ssrc, index: index)
            rtp.writeTag(over: UnsafeRawBufferPointer(packet), rolloverCounter: rolloverCounter, into: tag)
        }
        record(header.ssrc, state: state, rolloverCounter: rolloverCounter, sequence: header.sequenceNumber, index: index)
        rtpPackets += 1
        return length + tagLength
    }

    /// Authenticates and decrypts the SRTP packet in `buffer[0..<length]` in place and returns the RTP
    /// packet's length. Nothing about the stream changes unless the packet is authentic and new.
    public mutating func unprotectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        let tagLength = key.profile.rtpTagLength
        guard length <= buffer.count else { throw .noRoom }
        guard length >= 12 + tagLength else { throw .malformedPacket("\(length) bytes, shorter than an SRTP header and tag") }
        let protectedLength = length - tagLength
        let packet = UnsafeRawBufferPointer(rebasing: buffer[0..<protectedLength])
        let header = try RTPHeader(parsing: packet)
        guard rtpPackets < Self.rtpPacketLimit else { throw .keyExhausted }

        let known = streams[header.ssrc]
        let state = known ?? SRTPStreamState(highestSequence: header.sequenceNumber)
        guard let (rolloverCounter, index) = state.estimate(header.sequenceNumber) else { throw .tooOld(index: UInt64(header.sequenceNumber)) }
        switch state.replay.check(index) {
        case .fresh: break
        case .replayed: throw .replayed(index: index)
        case .tooOld: throw .tooOld(index: index)
        }

        let payload = UnsafeMutableRawBufferPointer(rebasing: buffer[header.length..<protectedLength])
        let tag = UnsafeRawBufferPointer(rebasing: buffer[protectedLength..<length])
        if key.profile.isAEAD {
            let nonce = rtp.rtpNonce(ssrc: header.ssrc, rolloverCounter: rolloverCounter, sequence: header.sequenceNumber)
            guard rtp.open(payload, authenticating: UnsafeRawBufferPointer(rebasing: buffer[0..<header.length]), nonce: nonce, tag: tag)
            else { throw .authenticationFailed }
        } else {
            guard rtp.verifyTag(over: packet, rolloverCounter: rolloverCounter, tag: tag) else { throw .authenticationFailed }
            rtp.applyKeystream(to: payload, ssrc: header.ssrc, index: index)
        }
        record(header.ssrc, state: state, rolloverCounter: rolloverCounter, sequence: header.sequenceNumber, index: index)
        rtpPackets += 1
        return protectedLength
    }

    private mutating func record(_ ssrc: UInt32, state: SRTPStreamState, rolloverCounter: UInt32, sequence: UInt16, index: UInt64) {
        var state = state
        state.update(rolloverCounter: rolloverCounter, sequence: sequence, index: index)
        clock &+= 1
        state.lastUsed = clock
        Self.store(state, for: ssrc, in: &streams)
    }

    /// Keeps `state` for `ssrc`; a new SSRC beyond ``maximumStreams`` takes the place of the one idle longest.
    private static func store<State: SRTPIdleTracked>(_ state: State, for ssrc: UInt32, in table: inout [UInt32: State]) {
        if table[ssrc] == nil, table.count >= maximumStreams, let idle = table.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            table[idle] = nil
        }
        table[ssrc] = state
    }

    // MARK: - SRTCP

    /// Protects the RTCP compound packet in `buffer[0..<length]` in place (encrypted, the E flag and
    /// SRTCP index appended, then the tag) and returns the protected length.
    public mutating func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        let tagLength = key.profile.rtcpTagLength
        guard length <= buffer.count, buffer.count - length >= tagLength + 4 else { throw .noRoom }
        let ssrc = try Self.rtcpSSRC(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        guard rtcpPackets < Self.rtcpPacketLimit else { throw .keyExhausted }
        var state = rtcpStreams[ssrc] ?? SRTCPStreamState()
        let index = state.nextIndex
        guard index <= 0x7FFF_FFFF else { throw .keyExhausted }
        let trailer = 0x8000_0000 | index

        if key.profile.isAEAD {
            // header ‖ ciphertext ‖ tag ‖ E+index (RFC 7714 §9.1)
            let body = UnsafeMutableRawBufferPointer(rebasing: buffer[8..<length])
            let tag = UnsafeMutableRawBufferPointer(rebasing: buffer[length..<(length + tagLength)])
            buffer.storeBigEndian(trailer, at: length + tagLength)
            rtcp.seal(body, authenticating: UnsafeRawBufferPointer(rebasing: buffer[0..<8]),
                      trailer: UnsafeRawBufferPointer(rebasing: buffer[(length + tagLength)..<(length + tagLength + 4)]),
                      nonce: rtcp.rtcpNonce(ssrc: ssrc, index: index), tag: tag)
        } else {
            // header ‖ ciphertext ‖ E+index ‖ tag (RFC 3711 §3.4)
            rtcp.applyKeystream(to: UnsafeMutableRawBufferPointer(rebasing: buffer[8..<length]), ssrc: ssrc, index: UInt64(index))
            buffer.storeBigEndian(trailer, at: length)
            rtcp.writeTag(over: UnsafeRawBufferPointer(rebasing: buffer[0..<(length + 4)]), rolloverCounter: nil,
                          into: UnsafeMutableRawBufferPointer(rebasing: buffer[(length + 4)..<(length + 4 + tagLength)]))
        }
        state.nextIndex = index + 1
        recordRTCP(ssrc, state: state, index: nil)
        rtcpPackets += 1
        return length + 4 + tagLength
    }

    /// Authenticates and (when its E flag says so) decrypts the SRTCP packet in `buffer[0..<length]`
    /// in place and returns the RTCP compound packet's length.
    public mutating func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        let tagLength = key.profile.rtcpTagLength
        guard length <= buffer.count else { throw .noRoom }
        guard length >= 8 + 4 + tagLength else { throw .malformedPacket("\(length) bytes, shorter than an SRTCP packet") }
        let ssrc = try Self.rtcpSSRC(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        guard rtcpPackets < Self.rtcpPacketLimit else { throw .keyExhausted }
        let bodyEnd = length - tagLength - 4
        let trailerOffset = key.profile.isAEAD ? length - 4 : length - tagLength - 4
        let trailer = UnsafeRawBufferPointer(buffer).loadBigEndian(UInt32.self, at: trailerOffset)
        let encrypted = trailer & 0x8000_0000 != 0
        let index = trailer & 0x7FFF_FFFF
        let state = rtcpStreams[ssrc] ?? SRTCPStreamState()
        switch state.replay.check(UInt64(index)) {
        case .fresh: break
        case .replayed: throw .replayed(index: UInt64(index))
        case .tooOld: throw .tooOld(index: UInt64(index))
        }

        if key.profile.isAEAD {
            let tag = UnsafeRawBufferPointer(rebasing: buffer[bodyEnd..<(bodyEnd + tagLength)])
            let trailerBytes = UnsafeRawBufferPointer(rebasing: buffer[trailerOffset..<length])
            let nonce = rtcp.rtcpNonce(ssrc: ssrc, index: index)
            if encrypted {
                let body = UnsafeMutableRawBufferPointer(rebasing: buffer[8..<bodyEnd])
                guard rtcp.open(body, authenticating: UnsafeRawBufferPointer(rebasing: buffer[0..<8]), trailer: trailerBytes, nonce: nonce, tag: tag)
                else { throw .authenticationFailed }
            } else {
                // Unencrypted SRTCP: the whole packet is authenticated data, the plaintext empty.
                let empty = UnsafeMutableRawBufferPointer(start: nil, count: 0)
                guard rtcp.open(empty, authenticating: UnsafeRawBufferPointer(rebasing: buffer[0..<bodyEnd]), trailer: trailerBytes, nonce: nonce, tag: tag)
                else { throw .authenticationFailed }
            }
        } else {
            let tag = UnsafeRawBufferPointer(rebasing: buffer[(length - tagLength)..<length])
            guard rtcp.verifyTag(over: UnsafeRawBufferPointer(rebasing: buffer[0..<(length - tagLength)]), rolloverCounter: nil, tag: tag)
            else { throw .authenticationFailed }
            if encrypted {
                rtcp.applyKeystream(to: UnsafeMutableRawBufferPointer(rebasing: buffer[8..<bodyEnd]), ssrc: ssrc, index: UInt64(index))
            }
        }
        recordRTCP(ssrc, state: state, index: UInt64(index))
        rtcpPackets += 1
        return bodyEnd
    }

    private mutating func recordRTCP(_ ssrc: UInt32, state: SRTCPStreamState, index: UInt64?) {
        var state = state
        if let index { state.replay.accept(index) }
        clock &+= 1
        state.lastUsed = clock
        Self.store(state, for: ssrc, in: &rtcpStreams)
    }

    /// The sender SSRC of an RTCP compound packet: version 2, at least the 8 bytes of header and SSRC.
    private static func rtcpSSRC(_ packet: UnsafeRawBufferPointer) throws(SRTPError) -> UInt32 {
        guard packet.count >= 8 else { throw .malformedPacket("\(packet.count) bytes, shorter than an RTCP header") }
        guard packet[0] >> 6 == 2 else { throw .malformedPacket("RTCP version \(packet[0] >> 6)") }
        return packet.loadBigEndian(UInt32.self, at: 4)
    }
}

extension SRTPContext {
    /// Protects the RTP packet `packet` (convenience over ``protectRTP(_:length:)``).
    public mutating func protectRTP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(&packet) { (context: inout SRTPContext, buffer, length) throws(SRTPError) in try context.protectRTP(buffer, length: length) }
    }

    /// Unprotects the SRTP packet `packet` (convenience over ``unprotectRTP(_:length:)``).
    public mutating func unprotectRTP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(&packet) { (context: inout SRTPContext, buffer, length) throws(SRTPError) in try context.unprotectRTP(buffer, length: length) }
    }

    /// Protects the RTCP compound packet `packet`.
    public mutating func protectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(&packet) { (context: inout SRTPContext, buffer, length) throws(SRTPError) in try context.protectRTCP(buffer, length: length) }
    }

    /// Unprotects the SRTCP packet `packet`.
    public mutating func unprotectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(&packet) { (context: inout SRTPContext, buffer, length) throws(SRTPError) in try context.unprotectRTCP(buffer, length: length) }
    }

    private mutating func transform(
        _ packet: inout [UInt8],
        _ body: (inout SRTPContext, UnsafeMutableRawBufferPointer, Int) throws(SRTPError) -> Int
    ) throws(SRTPError) {
        let length = packet.count
        packet.append(contentsOf: repeatElement(0, count: Self.maximumOverhead))
        var result: Result<Int, SRTPError> = .failure(.noRoom)
        packet.withUnsafeMutableBytes { buffer in
            do throws(SRTPError) { result = .success(try body(&self, buffer, length)) } catch { result = .failure(error) }
        }
        switch result {
        case .success(let newLength): packet.removeLast(packet.count - newLength)
        case .failure(let error):
            packet.removeLast(Self.maximumOverhead)
            throw error
        }
    }
}
