import NIOCore

/// The relay of one call's media, confined to the event loop its sockets run on: for each side and
/// stream, the plan (ports, peer, keys), the SRTP contexts, where the peer's packets really come from
/// (latching), and the counts. Every packet that arrives on one side leaves on the other, unprotected
/// and protected as each side's plan says, or is dropped and counted.
final class MediaRelayCall {
    /// One side of one stream at run time (a class: the packet path changes it in place).
    final class Leg {
        var plan: MediaStreamPlan {
            didSet { resolveSignalled() }
        }
        /// Where the plan says the peer's RTP and RTCP are (resolved once per plan, not per packet).
        private(set) var signalled: SocketAddress?
        private(set) var signalledRTCP: SocketAddress?
        var rtpChannel: Channel?
        var rtcpChannel: Channel?
        /// Where the peer's RTP and RTCP come from, once latched.
        var latched: SocketAddress?
        var latchedRTCP: SocketAddress?
        /// Whether the latched address is the signalled one (a plain leg's best case).
        var latchedToSignalled = false
        var inbound: SRTPContext?
        var outbound: SRTPContext?
        /// The highest RTP sequence number seen per SSRC, for counting losses.
        var highestSequence: [UInt32: UInt16] = [:]
        /// When the last packet from the peer arrived.
        var lastPacket: NIODeadline?

        init(plan: MediaStreamPlan) {
            self.plan = plan
            resolveSignalled()
        }

        private func resolveSignalled() {
            signalled = MediaRelayCall.address(plan.remoteAddress, plan.remotePort)
            signalledRTCP = MediaRelayCall.address(plan.remoteAddress, plan.remoteRTCPPort)
        }
    }

    let callID: String
    let strictSource: Bool
    private var insideLegs: [Leg] = []
    private var outsideLegs: [Leg] = []
    private(set) var statistics = MediaStatistics() {
        didSet { changed = true }
    }
    /// Whether the counts changed since they were last published.
    private var changed = false
    private let publish: (MediaStatistics) -> Void
    private let report: (MediaEvent) -> Void
    /// Events already reported for this call, by kind and side: one each, the rest only counted.
    private var reported: Set<String> = []
    private var unflushed: [ObjectIdentifier: Channel] = [:]
    /// Bad packets (forged, replayed, foreign) per outside source not yet reported as abuse.
    private var abuse: [String: Int] = [:]
    /// Abuse is reported in batches of this many packets from one source.
    static let abuseBatch = 50
    private(set) var closed = false
    /// When both sides' SDP was first seen (the media clock starts there).
    private var negotiated: NIODeadline?

    init(callID: String, strictSource: Bool, publish: @escaping (MediaStatistics) -> Void, report: @escaping (MediaEvent) -> Void) {
        self.callID = callID
        self.strictSource = strictSource
        self.publish = publish
        self.report = report
    }

    // MARK: - Plans and channels

    /// Follows a new negotiation: keys (a changed key rekeys its context, keeping rollover counters),
    /// peers (a new signalled address unlatches a plain leg) and codecs.
    func apply(_ plans: [MediaSide: [MediaStreamPlan]]) {
        for side in MediaSide.allCases {
            for (index, plan) in (plans[side] ?? []).enumerated() {
                let leg = self.leg(side, index) ?? Leg(plan: plan)
                let moved = leg.plan.remoteAddress != plan.remoteAddress || leg.plan.remotePort != plan.remotePort
                leg.plan = plan
                leg.inbound = Self.context(leg.inbound, for: plan.inboundKey)
                leg.outbound = Self.context(leg.outbound, for: plan.outboundKey)
                if moved, plan.inboundKey == nil {
                    leg.latched = nil
                    leg.latchedRTCP = nil
                    leg.latchedToSignalled = false
                }
                if statistics.codec == nil { statistics.codec = plan.codec }
                setLeg(side, index, leg)
            }
        }
        publish(statistics)
    }

    private static func context(_ current: SRTPContext?, for key: SRTPMasterKey?) -> SRTPContext? {
        guard let key else { return nil }
        guard var current else { return SRTPContext(key: key) }
        current.rekey(key)
        return current
    }

    /// A bound port's channel is ready.
    func attach(_ channel: Channel, side: MediaSide, stream: Int, rtcp: Bool) {
        let leg = self.leg(side, stream) ?? Leg(plan: MediaStreamPlan(kind: .rtp, localPort: 0))
        if rtcp { leg.rtcpChannel = channel } else { leg.rtpChannel = channel }
        setLeg(side, stream, leg)
    }

    /// Closes every channel; the ports are free once the returned future completes.
    func close(on loop: EventLoop) -> EventLoopFuture<Void> {
        closed = true
        publish(statistics)
        let channels = (insideLegs + outsideLegs).flatMap { [$0.rtpChannel, $0.rtcpChannel].compactMap { $0 } }
        insideLegs = []
        outsideLegs = []
        return EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: loop)
    }

    // MARK: - Packets

    /// A datagram arrived on `side`'s port for `stream` (its RTCP port when `rtcpPort`).
    func received(_ envelope: AddressedEnvelope<ByteBuffer>, side: MediaSide, stream: Int, rtcpPort: Bool, now: NIODeadline) {
        guard !closed, let leg = leg(side, stream), leg.plan.kind != .disabled else { return }
        // Until the answer says whether this side speaks SRTP, its packets cannot be read.
        guard !leg.plan.awaitingAnswer else {
            statistics.unnegotiatedPackets += 1
            return
        }
        var buffer = envelope.data
        let source = envelope.remoteAddress
        let isRTP = leg.plan.kind == .rtp
        let isRTCP = isRTP && (rtcpPort || buffer.withUnsafeReadableBytes { RTPHeader.isRTCP($0) })

        // SRTP first: only an authentic, well-formed packet may move the latch.
        var header: RTPHeader?
        if isRTP, leg.inbound != nil {
            let length = buffer.readableBytes
            let result: Result<Int, SRTPError> = buffer.withUnsafeMutableReadableBytes { bytes in
                do throws(SRTPError) {
                    return .success(isRTCP ? try leg.inbound!.unprotectRTCP(bytes, length: length) : try leg.inbound!.unprotectRTP(bytes, length: length))
                } catch { return .failure(error) }
            }
            switch result {
            case .success(let plainLength):
                buffer.moveWriterIndex(to: buffer.readerIndex + plainLength)
                if !isRTCP {
                    header = buffer.withUnsafeReadableBytes { Self.validHeader($0) }
                    guard header != nil else {
                        statistics.malformedPackets += 1
                        return
                    }
                }
            case .failure(let error):
                if case .malformedPacket = error { statistics.malformedPackets += 1 } else { statistics.authenticationFailures += 1 }
                reportOnce(.authenticationFailed, side: side, source: source, detail: "\(isRTCP ? "SRTCP" : "SRTP") from \(source): \(error)")
                noteAbuse(from: source, side: side)
                return
            }
            latch(leg, to: source, rtcp: isRTCP && !leg.plan.rtcpMux)
        } else {
            // A malformed packet neither moves the latch nor goes on. STUN (first byte 0–3) and ZRTP
            // (16–19) share the port (RFC 7983) and are relayed as they are, between plain legs.
            let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) ?? 0xFF
            if isRTP, !Self.isSTUNOrZRTP(first) {
                let valid: Bool
                if isRTCP {
                    valid = buffer.withUnsafeReadableBytes { RTPHeader.isValidRTCP($0) }
                } else {
                    header = buffer.withUnsafeReadableBytes { Self.validHeader($0) }
                    valid = header != nil
                }
                guard valid else {
                    statistics.malformedPackets += 1
                    return
                }
            }
            guard admitPlain(leg, from: source, rtcp: isRTCP && !leg.plan.rtcpMux) else {
                statistics.foreignPackets += 1
                reportOnce(.foreignSource, side: side, source: source,
                           detail: "media for the \(side) side from \(source), not the peer (\(leg.latched.map { "\($0)" } ?? "unlatched"))")
                noteAbuse(from: source, side: side)
                return
            }
        }
        leg.lastPacket = now

        // Counts, as plain RTP.
        var direction = statistics[from: side]
        direction.packets += 1
        direction.bytes += UInt64(buffer.readableBytes)
        if let header {
            if let previous = leg.highestSequence[header.ssrc] {
                let gap = header.sequenceNumber &- previous
                if gap > 1, gap < 0x8000 { direction.lost += UInt64(gap - 1) }
                if gap != 0, gap < 0x8000 { leg.highestSequence[header.ssrc] = header.sequenceNumber }
            } else {
                leg.highestSequence[header.ssrc] = header.sequenceNumber
            }
        }
        statistics[from: side] = direction

        forward(buffer, to: side.opposite, stream: stream, rtcp: isRTCP)
    }

    /// Whether a first byte is STUN's or ZRTP's in RFC 7983's demultiplexing.
    private static func isSTUNOrZRTP(_ first: UInt8) -> Bool {
        first <= 3 || (16...19).contains(first)
    }

    /// The header of a plain RTP packet that passes RFC 3550's validity checks (version, CSRC list,
    /// extension and padding within the packet); nil otherwise.
    private static func validHeader(_ packet: UnsafeRawBufferPointer) -> RTPHeader? {
        guard let header = try? RTPHeader(parsing: packet), (try? header.checkPadding(of: packet)) != nil else { return nil }
        return header
    }

    private func forward(_ packet: ByteBuffer, to side: MediaSide, stream: Int, rtcp: Bool) {
        guard let other = leg(side, stream), other.plan.kind != .disabled else { return }
        guard !other.plan.awaitingAnswer else {
            statistics.unnegotiatedPackets += 1
            return
        }
        let muxed = other.plan.rtcpMux
        let destination: SocketAddress?
        if rtcp && !muxed {
            destination = other.latchedRTCP ?? other.signalledRTCP
        } else {
            destination = other.latched ?? other.signalled
        }
        guard let destination, let channel = (rtcp && !muxed ? other.rtcpChannel : other.rtpChannel) else { return }
        var buffer = packet
        if other.plan.kind == .rtp, other.outbound != nil {
            let length = buffer.readableBytes
            buffer.writeRepeatingByte(0, count: SRTPContext.maximumOverhead)
            let protected: Int? = buffer.withUnsafeMutableReadableBytes { bytes in
                do throws(SRTPError) {
                    return rtcp ? try other.outbound!.protectRTCP(bytes, length: length) : try other.outbound!.protectRTP(bytes, length: length)
                } catch { return nil }
            }
            guard let protected else { return }
            buffer.moveWriterIndex(to: buffer.readerIndex + protected)
        }
        channel.write(AddressedEnvelope(remoteAddress: destination, data: buffer), promise: nil)
        unflushed[ObjectIdentifier(channel)] = channel
    }

    /// Sends what the last burst of reads queued, and publishes the counts.
    func flush() {
        if !unflushed.isEmpty {
            for channel in unflushed.values { channel.flush() }
            unflushed.removeAll(keepingCapacity: true)
        }
        if changed {
            changed = false
            publish(statistics)
        }
    }

    // MARK: - Latching

    /// An SRTP leg follows its authenticated packets (a phone behind NAT, or one that moved).
    private func latch(_ leg: Leg, to source: SocketAddress, rtcp: Bool) {
        if rtcp { leg.latchedRTCP = source } else { leg.latched = source }
    }

    /// A plain leg: the signalled address always wins; before anything came from it, the first
    /// source is taken (a phone behind NAT) unless `strict_source`; after that, others are foreign.
    private func admitPlain(_ leg: Leg, from source: SocketAddress, rtcp: Bool) -> Bool {
        let signalled = rtcp ? leg.signalledRTCP : leg.signalled
        let current = rtcp ? leg.latchedRTCP : leg.latched
        if let signalled, signalled == source {
            if rtcp { leg.latchedRTCP = source } else {
                leg.latched = source
                leg.latchedToSignalled = true
            }
            return true
        }
        if let current { return current == source }
        guard !strictSource else { return false }
        if rtcp { leg.latchedRTCP = source } else { leg.latched = source }
        return true
    }

    /// Counts a bad packet from an outside source; each batch is reported for Shield to judge.
    private func noteAbuse(from source: SocketAddress, side: MediaSide) {
        guard side == .outside, let address = source.ipAddress else { return }
        let count = abuse[address, default: 0] + 1
        guard count >= Self.abuseBatch else {
            abuse[address] = count
            return
        }
        abuse[address] = 0
        report(MediaEvent(kind: .abuse, callID: callID, side: side, source: address,
                          detail: "\(count) forged or foreign media packets from \(address)", packets: count))
    }

    private func reportOnce(_ kind: MediaEvent.Kind, side: MediaSide, source: SocketAddress, detail: String) {
        let key = "\(kind.rawValue) \(side)"
        guard !reported.contains(key) else { return }
        reported.insert(key)
        report(MediaEvent(kind: kind, callID: callID, side: side, source: source.ipAddress, detail: detail))
    }

    /// Starts the silence clock again at `now` and forgets timeouts already reported (the call was
    /// answered).
    func restartTimeouts(at now: NIODeadline) {
        if negotiated != nil { negotiated = now }
        reported = reported.filter { !$0.hasPrefix("timeout") && !$0.hasPrefix("one-way") }
        for leg in insideLegs + outsideLegs where leg.lastPacket.map({ $0 < now }) ?? false { leg.lastPacket = now }
    }

    /// Reports, once each, a call whose media stopped both ways for `timeout` (`holdTimeout` while on
    /// hold), and a side that has sent nothing for that long while the other sends (one-way audio).
    /// The clock starts when both sides' SDP has been seen.
    func checkTimeout(now: NIODeadline, timeout: TimeAmount, holdTimeout: TimeAmount) {
        let all = insideLegs + outsideLegs
        let active = all.filter { $0.plan.kind != .disabled && $0.plan.remotePort != 0 }
        guard !insideLegs.filter({ $0.plan.remotePort != 0 }).isEmpty, !outsideLegs.filter({ $0.plan.remotePort != 0 }).isEmpty else { return }
        if negotiated == nil { negotiated = now }
        guard let negotiated, !active.isEmpty else { return }
        let onHold = all.contains { $0.plan.onHold }
        let limit = onHold ? holdTimeout : timeout
        let seconds = limit.nanoseconds / 1_000_000_000
        func last(_ legs: [Leg]) -> NIODeadline { legs.compactMap(\.lastPacket).max() ?? negotiated }
        let fromInside = last(insideLegs)
        let fromOutside = last(outsideLegs)
        if now - max(fromInside, fromOutside) > limit {
            guard !reported.contains("timeout") else { return }
            reported.insert("timeout")
            report(MediaEvent(kind: .timeout, callID: callID, side: .outside, source: nil,
                              detail: "no media either way for \(seconds) s\(onHold ? " (on hold)" : "")", bothWays: true))
            return
        }
        guard !onHold else { return }
        for (side, silent) in [(MediaSide.inside, fromInside), (.outside, fromOutside)] where now - silent > limit {
            let key = "one-way \(side)"
            guard !reported.contains(key) else { continue }
            reported.insert(key)
            report(MediaEvent(kind: .timeout, callID: callID, side: side, source: nil,
                              detail: "one-way audio: nothing from the \(side) side for \(seconds) s while the other side sends"))
        }
    }

    // MARK: - Helpers

    func leg(_ side: MediaSide, _ index: Int) -> Leg? {
        let list = side == .inside ? insideLegs : outsideLegs
        return index < list.count ? list[index] : nil
    }

    private func setLeg(_ side: MediaSide, _ index: Int, _ leg: Leg) {
        if side == .inside { Self.place(leg, at: index, in: &insideLegs) } else { Self.place(leg, at: index, in: &outsideLegs) }
    }

    private static func place(_ leg: Leg, at index: Int, in list: inout [Leg]) {
        while list.count <= index { list.append(Leg(plan: MediaStreamPlan(kind: .disabled, localPort: 0))) }
        list[index] = leg
    }

    fileprivate static func address(_ host: String?, _ port: UInt16) -> SocketAddress? {
        guard let host, port != 0, host != "0.0.0.0", host != "::" else { return nil }
        return try? SocketAddress(ipAddress: host, port: Int(port))
    }
}
