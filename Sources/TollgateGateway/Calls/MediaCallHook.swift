import Foundation
import NIOCore
import SIPCore
import TollgateMedia
import TollgateModel

/// Media anchoring as a call hook: every SDP that crosses between the PBX and the outside goes
/// through the call's ``MediaNegotiation`` (rewritten to Tollgate's addresses and ports, SRTP as
/// each side's policy says) and the call's ``MediaCallRelay`` follows the result. The relay's ports
/// are given back when the call ends, however it ends. Confined to the gateway's event loop.
final class MediaCallHook: CallHook {
    let name = "media"
    private let relay: MediaRelay
    private let inside: MediaSideSettings
    private let outside: MediaSideSettings
    /// The outside's settings for calls with a trunk that has its own SRTP policy.
    private let trunkOutside: [String: MediaSideSettings]
    private let events: GatewayEventEmitter
    private var anchored: [String: AnchoredCall] = [:]
    /// Anchors older than this are ended by housekeeping, whatever became of their call.
    var longestCall: TimeInterval = 14_400 + 600

    private final class AnchoredCall {
        var negotiation: MediaNegotiation
        let relay: MediaCallRelay
        let created: Date
        /// The trunk whose settings the outside side has now.
        var trunk: String?
        init(negotiation: MediaNegotiation, relay: MediaCallRelay, created: Date, trunk: String?) {
            self.negotiation = negotiation
            self.relay = relay
            self.created = created
            self.trunk = trunk
        }
    }

    init(relay: MediaRelay, inside: MediaSideSettings, outside: MediaSideSettings, trunkOutside: [String: MediaSideSettings] = [:],
         events: GatewayEventEmitter) {
        self.relay = relay
        self.inside = inside
        self.outside = outside
        self.trunkOutside = trunkOutside
        self.events = events
    }

    func offer(_ offer: inout CallSDP) -> CallHookVerdict {
        process(&offer)
    }

    func answer(_ answer: inout CallSDP) {
        _ = process(&answer)
    }

    private func process(_ sdp: inout CallSDP) -> CallHookVerdict {
        // Only what crosses the edge is anchored; the body must be SDP (validation has parsed it already).
        guard sdp.from != sdp.towards, sdp.isSDP, let session = try? SDPSession(parsing: sdp.message.bodyBytes) else { return .proceed }
        let callID = sdp.callID
        let isNew = anchored[callID] == nil
        let outsideSettings = sdp.trunk.flatMap { trunkOutside[$0] } ?? outside
        let call = anchored[callID] ?? AnchoredCall(
            negotiation: MediaNegotiation(inside: inside, outside: outsideSettings, sessionID: UInt64.random(in: 1...(1 << 40))),
            relay: relay.open(callID: callID), created: Date(), trunk: sdp.trunk)
        if call.trunk != sdp.trunk {
            // A failed-over INVITE offered to another trunk: the outside now has that trunk's policy.
            call.negotiation.setSettings(.outside, outsideSettings)
            call.trunk = sdp.trunk
        }
        let side: MediaSide = sdp.from == .internal ? .inside : .outside
        let message = sdp.message
        do throws(MediaRefusal) {
            let rewritten = try call.negotiation.process(
                session, from: side, isRequest: message.isRequest, isAcknowledgement: message.method == .ack,
                allocate: { [inside, outside] side, stream in
                    call.relay.bindPorts(side: side, address: side == .inside ? inside.address : outside.address, stream: stream)
                })
            call.relay.apply(call.negotiation.streams)
            sdp.message.body = rewritten.serialized()
            anchored[callID] = call
            return .proceed
        } catch {
            events.emit(GatewayEvent.Kind(rawValue: MediaEvent.Kind.refused.rawValue), address: session.origin.address, rule: "media-\(error.reason.rawValue)",
                        detail: error.description, severity: error.reason == .portsExhausted ? .warning : .notice)
            if isNew { call.relay.close() } else { anchored[callID] = call }
            if message.isRequest, message.method != .ack {
                return .refuse(status: error.status, reason: error.detail)
            }
            // An offer in a response cannot be refused: the media is declined instead, so nothing of
            // the other side leaks.
            var declined = session
            for index in declined.media.indices { declined.media[index].port = 0 }
            declined.origin.address = side == .inside ? outside.address : inside.address
            declined.connection = SDPConnection(addressType: declined.origin.addressType, address: declined.origin.address)
            sdp.message.body = declined.serialized()
            return .proceed
        }
    }

    func callAnswered(_ call: CallKey, at time: Date) {
        anchored[call.callID]?.relay.answered()
    }

    func callEnds(_ end: CallEnd, record: inout CallDetailRecord) -> EventLoopFuture<Void>? {
        guard let call = anchored.removeValue(forKey: end.key.callID) else { return nil }
        record.media = Self.summary(call.relay.statistics, callerSide: record.direction == .inbound ? .outside : .inside,
                                    encrypted: call.negotiation.streams[.outside]?.contains(where: \.isSRTP) ?? false)
        call.relay.close()
        return nil
    }

    /// The CDR's view of a call's media: by party (caller, callee) rather than by side.
    static func summary(_ statistics: MediaStatistics, callerSide: MediaSide, encrypted: Bool) -> CallMediaSummary {
        func flow(_ direction: MediaStatistics.Direction) -> CallMediaSummary.Flow {
            CallMediaSummary.Flow(packets: direction.packets, bytes: direction.bytes, lost: direction.lost)
        }
        return CallMediaSummary(codec: statistics.codec, fromCaller: flow(statistics[from: callerSide]),
                                fromCallee: flow(statistics[from: callerSide.opposite]), encrypted: encrypted,
                                dropped: statistics.authenticationFailures + statistics.foreignPackets + statistics.malformedPackets)
    }

    func housekeeping(at time: Date) {
        for (callID, call) in anchored where time.timeIntervalSince(call.created) > longestCall {
            call.relay.close()
            anchored[callID] = nil
        }
    }

}
