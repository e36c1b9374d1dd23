import NIOCore

/// The relay of one call's media, confined to the media loop its sockets run on: for each side and
/// stream, the plan (ports, peer, keys), the SRTP contexts, where the peer's packets really come from
/// (latching), and the counts. Every packet that arrives on one side leaves on the other, unprotected
/// and protected as each side's plan says, or is dropped and counted.
///
/// It does no I/O: ``received(_:length:side:stream:rtcpPort:from:now:)`` works on the packet in the
/// loop's buffer, in place, and says where it goes next (``Forward``); the loop sends it.
final class MediaRelayCall {
    /// Where a packet goes next: sent from `descriptor` (the other side's port) to `destination`,
    /// `length` bytes from the start of the buffer it was received in.
    struct Forward: Equatable {
        let descriptor: CInt
        let destination: MediaEndpoint
        let length: Int
    }

    /// One side of one stream at run time (a class: the packet path changes it in place).
    final class Leg {
        var plan: MediaStreamPlan {
            didSet { resolveSignalled() }
        }
        /// Where the plan says the peer's RTP and RTCP are (resolved once per plan, not per packet).
        private(set) var signalled: MediaEndpoint?
        private(set) var signalledRTCP: MediaEndpoint?
        /// The side's RTP and RTCP ports, once the loop watches them.
        var rtpDescriptor: CInt?
        var rtcpDescriptor: CInt?
        /// Where the peer's RTP and RTCP come from, once latched.
        var latched: MediaEndpoint?
        var latchedRTCP: MediaEndpoint?
        /// Whether the latched address is the signalled one (a plain leg's best case).
        var latchedToSignalled = false
        var inbound: SRTPContext?
        var outbound: SRTPContext?
        /// The highest RTP sequence number seen per SSRC, for counting losses: the current source's
        /// at hand, the others (after an SSRC change) in a table.
        private var currentSSRC: UInt32?
        private var currentHighest: UInt16 = 0
        private var otherHighest: [UInt32: UInt16] = [:]
        /// When the last packet from the peer arrived.
        var lastPacket: NIODeadline?

        init(plan: MediaStreamPlan) {
            self.plan = plan
            resolveSignalled()
        }

        /// Follows the highest sequence number of `ssrc` and returns how many packets the step from
        /// it to `sequence` skipped (0 for the next packet, a duplicate or a late one).
        func countLosses(ssrc: UInt32, sequence: UInt16) -> UInt64 {
            if currentSSRC != ssrc {
                if let current = currentSSRC { otherHighest[current] = currentHighest }
                currentSSRC = ssrc
                guard let previous = otherHighest.removeValue(forKey: ssrc) else {
                    currentHighest = sequence
                    return 0
                }
                currentHighest = previous
            }
            let gap = sequence &- currentHighest
            guard gap != 0, gap < 0x8000 else { return 0 }
            currentHighest = sequence
            return UInt64(gap - 1)
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
    /// Whether the loop holds the call in its list of calls to publish after this burst of reads.
    private var publishPending = false
    private let publish: (MediaStatistics) -> Void
    private let report: (MediaEvent) -> Void
    /// Events already reported for this call, by kind and side: one each, the rest only counted.
    private var reported: Set<String> = []
    /// Bad packets (forged, replayed, foreign) per outside source not yet reported as abuse.
    private var abuse: [MediaEndpoint: Int] = [:]
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

    /// A bound port is watched by the loop.
    func attach(_ descriptor: CInt, side: MediaSide, stream: Int, rtcp: Bool) {
        let leg = self.leg(side, stream) ?? Leg(plan: MediaStreamPlan(kind: .rtp, localPort: 0))
        if rtcp { leg.rtcpDescriptor = descriptor } else { leg.rtpDescriptor = descriptor }
        setLeg(side, stream, leg)
    }

    /// Ends the call: publishes the last counts and gives back the ports' descriptors, for the loop
    /// to stop watching and close.
    func close() -> [CInt] {
        closed = true
        publish(statistics)
        let descriptors = (insideLegs + outsideLegs).flatMap { [$0.rtpDescriptor, $0.rtcpDescriptor].compactMap { $0 } }
        insideLegs = []
        outsideLegs = []
        return descriptors
    }

    // MARK: - Packets

    /// A datagram of `length` bytes arrived at the start of `packet` on `side`'s port for `stream`
    /// (its RTCP port when `rtcpPort`) from `source`. `packet` has room for
    /// ``SRTPContext/maximumOverhead`` more bytes: the packet is unprotected and protected in place.
    ///
    /// - Returns: where the packet goes next, or nil when it is dropped (and counted).
    func received(_ packet: UnsafeMutableRawBufferPointer, length: Int, side: MediaSide, stream: Int, rtcpPort: Bool,
                  from source: MediaEndpoint, now: NIODeadline) -> Forward? {
        guard !closed, let leg = leg(side, stream), leg.plan.kind != .disabled else { return nil }
        // Until the answer says whether this side speaks SRTP, its packets cannot be read.
        guard !leg.plan.awaitingAnswer else {
            statistics.unnegotiatedPackets += 1
            return nil
        }
        guard length > 0, length <= packet.count else {
            statistics.malformedPackets += 1
            return nil
        }
        var length = length
        let isRTP = leg.plan.kind == .rtp
        let isRTCP = isRTP && (rtcpPort || RTPHeader.isRTCP(UnsafeRawBufferPointer(rebasing: packet[..<length])))

        // SRTP first: only an authentic, well-formed packet may move the latch.
        var header: RTPHeader?
        if isRTP, leg.inbound != nil {
            let received = UnsafeMutableRawBufferPointer(rebasing: packet[..<length])
            let result: Result<Int, SRTPError>
            do throws(SRTPError) {
                let plain = isRTCP ? try leg.inbound?.unprotectRTCP(received, length: length) : try leg.inbound?.unprotectRTP(received, length: length)
                result = .success(plain ?? 0)
            } catch { result = .failure(error) }
            switch result {
            case .success(let plainLength):
                length = plainLength
                if !isRTCP {
                    header = Self.validHeader(UnsafeRawBufferPointer(rebasing: packet[..<length]))
                    guard header != nil else {
                        statistics.malformedPackets += 1
                        return nil
                    }
                }
            case .failure(let error):
                if case .malformedPacket = error { statistics.malformedPackets += 1 } else { statistics.authenticationFailures += 1 }
                reportOnce(.authenticationFailed, side: side, source: source, detail: "\(isRTCP ? "SRTCP" : "SRTP") from \(source): \(error)")
                noteAbuse(from: source, side: side)
                return nil
            }
            latch(leg, to: source, rtcp: isRTCP && !leg.plan.rtcpMux)
        } else {
            // A malformed packet neither moves the latch nor goes on. STUN (first byte 0–3) and ZRTP
            // (16–19) share the port (RFC 7983) and are relayed as they are, between plain legs.
            let bytes = UnsafeRawBufferPointer(rebasing: packet[..<length])
            if isRTP, !Self.isSTUNOrZRTP(bytes[0]) {
                let valid: Bool
                if isRTCP {
                    valid = RTPHeader.isValidRTCP(bytes)
                } else {
                    header = Self.validHeader(bytes)
                    valid = header != nil
                }
                guard valid else {
                    statistics.malformedPackets += 1
                    return nil
                }
            }
            guard admitPlain(leg, from: source, rtcp: isRTCP && !leg.plan.rtcpMux) else {
                statistics.foreignPackets += 1
                reportOnce(.foreignSource, side: side, source: source,
                           detail: "media for the \(side) side from \(source), not the peer (\(leg.latched.map { "\($0)" } ?? "unlatched"))")
                noteAbuse(from: source, side: side)
                return nil
            }
        }
        leg.lastPacket = now
        let lost = header.map { leg.countLosses(ssrc: $0.ssrc, sequence: $0.sequenceNumber) } ?? 0
        let forward = forward(packet, length: length, to: side.opposite, stream: stream, rtcp: isRTCP)

        // Counts, as plain RTP: what went on; what could not is counted by `forward` as dropped.
        var direction = statistics[from: side]
        direction.lost += lost
        if forward != nil {
            direction.packets += 1
            direction.bytes += UInt64(length)
        }
        statistics[from: side] = direction
        return forward
    }

    /// A datagram too long to be media arrived: dropped and counted.
    func droppedMalformed() {
        statistics.malformedPackets += 1
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

    private func forward(_ packet: UnsafeMutableRawBufferPointer, length: Int, to side: MediaSide, stream: Int, rtcp: Bool) -> Forward? {
        guard let other = leg(side, stream), other.plan.kind != .disabled else {
            statistics.unnegotiatedPackets += 1
            return nil
        }
        guard !other.plan.awaitingAnswer else {
            statistics.unnegotiatedPackets += 1
            return nil
        }
        let muxed = other.plan.rtcpMux
        let destination: MediaEndpoint?
        if rtcp && !muxed {
            destination = other.latchedRTCP ?? other.signalledRTCP
        } else {
            destination = other.latched ?? other.signalled
        }
        // Nowhere to send it yet (the other side's address or port not known): not ready, as above.
        guard let destination, let descriptor = (rtcp && !muxed ? other.rtcpDescriptor : other.rtpDescriptor) else {
            statistics.unnegotiatedPackets += 1
            return nil
        }
        var length = length
        if other.plan.kind == .rtp, other.outbound != nil {
            // What cannot be protected (STUN from a plain side, say) cannot go to an SRTP side.
            guard packet.count >= length + SRTPContext.maximumOverhead else {
                statistics.malformedPackets += 1
                return nil
            }
            let room = UnsafeMutableRawBufferPointer(rebasing: packet[..<(length + SRTPContext.maximumOverhead)])
            do throws(SRTPError) {
                length = try (rtcp ? other.outbound?.protectRTCP(room, length: length) : other.outbound?.protectRTP(room, length: length)) ?? length
            } catch {
                statistics.malformedPackets += 1
                return nil
            }
        }
        return Forward(descriptor: descriptor, destination: destination, length: length)
    }

    /// Whether the counts changed since they were last published and the call is not yet among the
    /// loop's calls to publish; marks it as among them.
    func needsPublishing() -> Bool {
        guard changed, !publishPending else { return false }
        publishPending = true
        return true
    }

    /// Publishes the counts, if they changed (after a burst of reads).
    func publishCounts() {
        publishPending = false
        if changed {
            changed = false
            publish(statistics)
        }
    }

    // MARK: - Latching

    /// An SRTP leg follows its authenticated packets (a phone behind NAT, or one that moved).
    private func latch(_ leg: Leg, to source: MediaEndpoint, rtcp: Bool) {
        if rtcp { leg.latchedRTCP = source } else { leg.latched = source }
    }

    /// A plain leg: the signalled address always wins; before anything came from it, the first
    /// source is taken (a phone behind NAT) unless `strict_source`; after that, others are foreign.
    private func admitPlain(_ leg: Leg, from source: MediaEndpoint, rtcp: Bool) -> Bool {
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
    private func noteAbuse(from source: MediaEndpoint, side: MediaSide) {
        guard side == .outside else { return }
        let host = source.host
        let count = abuse[host, default: 0] + 1
        guard count >= Self.abuseBatch else {
            abuse[host] = count
            return
        }
        abuse[host] = 0
        let address = source.ipAddress
        report(MediaEvent(kind: .abuse, callID: callID, side: side, source: address,
                          detail: "\(count) forged or foreign media packets from \(address)", packets: count))
    }

    private func reportOnce(_ kind: MediaEvent.Kind, side: MediaSide, source: MediaEndpoint, detail: @autoclosure () -> String) {
        let key = "\(kind.rawValue) \(side)"
        guard !reported.contains(key) else { return }
        reported.insert(key)
        report(MediaEvent(kind: kind, callID: callID, side: side, source: source.ipAddress, detail: detail()))
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
        if side == .inside { return index < insideLegs.count ? insideLegs[index] : nil }
        return index < outsideLegs.count ? outsideLegs[index] : nil
    }

    private func setLeg(_ side: MediaSide, _ index: Int, _ leg: Leg) {
        if side == .inside { Self.place(leg, at: index, in: &insideLegs) } else { Self.place(leg, at: index, in: &outsideLegs) }
    }

    private static func place(_ leg: Leg, at index: Int, in list: inout [Leg]) {
        while list.count <= index { list.append(Leg(plan: MediaStreamPlan(kind: .disabled, localPort: 0))) }
        list[index] = leg
    }

    fileprivate static func address(_ host: String?, _ port: UInt16) -> MediaEndpoint? {
        guard let host, port != 0, host != "0.0.0.0", host != "::" else { return nil }
        return MediaEndpoint(host: host, port: port)
    }
}
