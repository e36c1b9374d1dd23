import NIOCore
import SIPCore
import SIPTransport

/// Identifies a server transaction: the branch and sent-by of the top Via, the method (ACK and
/// CANCEL are matched against INVITE by the caller), and the transport source (RFC 3261 §17.2.3).
struct ServerTransactionKey: Hashable {
    var branch: String
    var method: SIPMethod
    var source: SIPPeer
}

/// The gateway's side of a transaction with the upstream hop: what the proxy keeps of it (the
/// request, the last response, the downstream transaction, the call) around its
/// ``ServerTransactionMachine``, which decides the retransmissions and the timers.
final class ServerTransaction: @unchecked Sendable {
    let key: ServerTransactionKey
    let request: SIPMessage
    let listener: Int
    let zone: GatewayZone
    let trunk: String?
    /// RFC 3261 §17.2's states and timers.
    var machine: ServerTransactionMachine
    /// The running timers the machine asked for: retransmission of the final answer (G) and the end (H, I, J, L).
    var retransmitTimer: TimerWheel.Handle?
    var endTimer: TimerWheel.Handle?
    var lastResponse: [UInt8]?
    /// The downstream transaction currently carrying this request.
    var client: ClientTransaction?
    /// Where to try next if the current target fails (failover).
    var remainingTargets: [ForwardTarget] = []
    var cancelled = false
    /// Whether Tollgate already answered a trunk's challenge to this request with the trunk's credentials.
    var answeredTrunkChallenge = false
    /// The call this INVITE started, when it is one the gateway records.
    var call: CallKey?
    /// Whether a call hook (the fraud policy, say) refused the call.
    var refused = false
    /// Whether the call hooks are still preparing (fetching what they need) before the call begins.
    var preparing = false
    /// The INVITE as call hooks changed it (a `verstat`, a display name), when they did: what every
    /// target gets. Responses are still made from ``request``.
    var forwardedRequest: SIPMessage?

    /// What is forwarded: the request as the call hooks left it.
    var outgoingRequest: SIPMessage { forwardedRequest ?? request }

    /// The request's Call-ID and tags, as validation read them.
    let dialog: DialogID

    init(key: ServerTransactionKey, request: SIPMessage, listener: Int, zone: GatewayZone, trunk: String?, dialog: DialogID,
         timers: TransactionTimers) {
        self.key = key
        self.machine = ServerTransactionMachine(isInvite: key.method == .invite, reliable: key.source.transport != .udp, timers: timers)
        self.request = request
        self.listener = listener
        self.zone = zone
        self.trunk = trunk
        self.dialog = dialog
    }

    var source: SIPPeer { key.source }
    var isInvite: Bool { key.method == .invite }
    var state: ServerTransactionMachine.State { machine.state }

    /// The handle of one of the machine's timers.
    subscript(timer: ServerTransactionMachine.Timer) -> TimerWheel.Handle? {
        get { timer == .retransmit ? retransmitTimer : endTimer }
        set { if timer == .retransmit { retransmitTimer = newValue } else { endTimer = newValue } }
    }
    var finalStatus: Int? { machine.finalStatus }
    /// Whether the final answer waits for its call's CDR to be journaled (nothing is resent meanwhile).
    var holdingFinal: Bool { machine.holdingFinal }
}

/// A request's Call-ID, From tag and To tag: what finds its dialog.
struct DialogID: Hashable {
    var callID: String
    var fromTag: String?
    var toTag: String?
}

/// Where a request is forwarded: the peer, its zone, and the trunk it belongs to.
struct ForwardTarget: Hashable {
    var peer: SIPPeer
    var zone: GatewayZone
    var trunk: String?
    /// The Request-URI to send, when it differs from the incoming one (trunk host, digit rules, fallback number).
    var requestURI: String?
    /// Whether this target is the fallback for an unreachable PBX.
    var isFallback = false
}
