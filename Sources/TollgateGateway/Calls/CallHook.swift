import Foundation
import NIOCore
import SIPCore
import TollgateModel

/// A participant in every call the gateway carries: told when a call begins, of each offer and
/// answer (SDP) on its way through, when it is answered, and when it ends, however it ends.
///
/// Hooks run on the gateway's event loop, in the order they were added, and must not block. A hook
/// may refuse a call as it begins (``CallHookVerdict/refuse(status:reason:)``), rewrite the SDP of
/// offers and answers, fill in the call's record when it begins and add to it when it ends, and
/// make the final answer that ends a call wait for something (the CDR journal) by returning a future.
/// Topology hiding of SDP (``SDPMaskingHook``), the fraud policy (``FraudCallHook``) and CDR
/// accounting (``CallRecordingHook``, added last) are hooks; media anchoring and caller identity
/// plug in the same way.
///
/// Every method has a default that does nothing, so a hook implements only what it takes part in.
public protocol CallHook: AnyObject {
    /// A short stable name: the rule of the events its refusals make.
    var name: String { get }

    /// An initial INVITE was admitted: before the call begins, a hook may ask for time to fetch
    /// what it needs to judge it (caller identity: a certificate). The proxy waits for every hook's
    /// future, which the hook itself bounds (the call's time budget), then calls ``callBegins(_:record:)``.
    /// A CANCEL meanwhile is answered at once and the call never begins.
    func prepare(_ call: CallStart) -> EventLoopFuture<Void>?

    /// An initial INVITE was admitted and is about to be routed. The record is the call's CDR as it
    /// starts; the hook may fill it in, and may change the INVITE's headers as it will leave (a
    /// `verstat`, a display name); every target it is routed to gets the changed INVITE. The first
    /// refusal ends the call with its status; hooks after the refusing one are not asked.
    func callBegins(_ call: inout CallStart, record: inout CallDetailRecord) -> CallHookVerdict

    /// An offer is about to be forwarded: a request with a body in a call (INVITE, re-INVITE, UPDATE,
    /// PRACK). The hook may rewrite its SDP, or refuse it (488 for media it cannot take, 503 when
    /// out of ports): the request is then answered with that status and not forwarded. A failed-over
    /// INVITE is offered again to the next target.
    func offer(_ offer: inout CallSDP) -> CallHookVerdict

    /// An answer is about to be forwarded: a provisional or 2xx response with a body, or an ACK with one.
    func answer(_ answer: inout CallSDP)

    /// The call was answered (the first 2xx to its INVITE is on its way to the caller).
    func callAnswered(_ call: CallKey, at time: Date)

    /// The call is over. The hook may add to its record (hooks after it see what it added) and
    /// return a future the final answer that ended the call waits for (at most two seconds).
    func callEnds(_ end: CallEnd, record: inout CallDetailRecord) -> EventLoopFuture<Void>?

    /// Called every few seconds from the proxy's housekeeping.
    func housekeeping(at time: Date)
}

extension CallHook {
    public func prepare(_ call: CallStart) -> EventLoopFuture<Void>? { nil }
    public func callBegins(_ call: inout CallStart, record: inout CallDetailRecord) -> CallHookVerdict { .proceed }
    public func offer(_ offer: inout CallSDP) -> CallHookVerdict { .proceed }
    public func answer(_ answer: inout CallSDP) {}
    public func callAnswered(_ call: CallKey, at time: Date) {}
    public func callEnds(_ end: CallEnd, record: inout CallDetailRecord) -> EventLoopFuture<Void>? { nil }
    public func housekeeping(at time: Date) {}
}

/// What a hook decides about a call that begins.
public enum CallHookVerdict: Sendable, Hashable {
    /// Let the call be routed.
    case proceed
    /// End the call with this final status (e.g. 403); the reason is for the log and the events;
    /// `phrase` replaces the status's usual reason phrase (RFC 8224's "Stale Date").
    case refuse(status: Int, reason: String, phrase: String? = nil)
}

/// A call as it begins: its INVITE and where it came from.
public struct CallStart {
    public var key: CallKey
    /// The INVITE as it arrived (the Call-ID the inside uses); hooks may change its headers in
    /// ``CallHook/callBegins(_:record:)``, and what leaves is the changed one.
    public var request: SIPMessage {
        didSet { requestChanged = true }
    }
    /// Whether a hook changed ``request``.
    public private(set) var requestChanged = false
    /// The caller's address (IP text).
    public var source: String
    /// The side the caller is on.
    public var zone: GatewayZone
    /// The trunk the caller belongs to, for a call from outside.
    public var trunk: String?
    /// Whether the call goes from the PBX to a trunk (not to a remote phone).
    public var towardsTrunk: Bool
    /// When it began.
    public var time: Date

    public init(key: CallKey, request: SIPMessage, source: String, zone: GatewayZone, trunk: String?, towardsTrunk: Bool, time: Date) {
        self.key = key
        self.request = request
        self.source = source
        self.zone = zone
        self.trunk = trunk
        self.towardsTrunk = towardsTrunk
        self.time = time
    }
}

/// An offer or answer on its way through the gateway; hooks may rewrite ``message``'s body.
public struct CallSDP {
    /// The message as it will leave (its body is the SDP).
    public var message: SIPMessage
    /// The side it came from and the side it goes to.
    public var from: GatewayZone
    public var towards: GatewayZone
    /// The trunk at the outside end of its path, if the outside party is one.
    public var trunk: String?

    /// The Call-ID the inside uses (read when a hook asks, not for every message).
    public var callID: String { message.firstValue(of: .callID) ?? "" }

    /// Whether the body is SDP (`application/sdp`).
    public var isSDP: Bool { (try? message.contentType())??.isSDP == true }
}

/// How a call ended.
public struct CallEnd: Sendable {
    public enum Reason: Sendable, Hashable {
        /// A BYE from the caller or the callee was answered.
        case hungUp(CallDetailRecord.HangupSide)
        /// The INVITE got a final failure (the callee's, or Tollgate's own).
        case failed(status: Int)
        /// A hook refused the call as it began.
        case refused(status: Int)
        /// The caller cancelled before an answer.
        case cancelled
        /// The gateway gave up on it: never confirmed, idle too long, or longer than the longest call.
        case expired
        /// The gateway is shutting down.
        case shutdown
        /// The gateway ended the call itself, with a BYE to each side, for the reason its rule names
        /// (`media-timeout`: no media either way).
        case ended(rule: String)
    }

    public var key: CallKey
    public var reason: Reason
    public var time: Date
    /// The caller's address (IP text).
    public var source: String
}
