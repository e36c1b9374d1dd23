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

/// The gateway's side of a transaction with the upstream hop (RFC 3261 §17.2): it absorbs
/// retransmitted requests by resending the last response, retransmits a final non-2xx answer to an
/// INVITE over UDP until the ACK comes (timer G, H), and lingers to absorb stragglers (timers I, J).
final class ServerTransaction: @unchecked Sendable {
    enum State {
        case proceeding
        /// A final non-2xx response was sent to an INVITE; waiting for the ACK.
        case completed
        /// Final response sent (2xx to INVITE, any final to others); absorbing retransmissions.
        case finished
    }

    let key: ServerTransactionKey
    let request: SIPMessage
    let listener: Int
    let zone: GatewayZone
    let trunk: String?
    var state: State = .proceeding
    var lastResponse: [UInt8]?
    var finalStatus: Int?
    /// The downstream transaction currently carrying this request.
    var client: ClientTransaction?
    /// Where to try next if the current target fails (failover).
    var remainingTargets: [ForwardTarget] = []
    var cancelled = false
    /// Whether Tollgate already answered a trunk's challenge to this request with the trunk's credentials.
    var answeredTrunkChallenge = false
    var timer: TimerWheel.Handle?
    var retransmitInterval: TimeAmount = .milliseconds(500)
    /// The call this INVITE started, when it is one the gateway records.
    var call: CallKey?
    /// Whether a call hook (the fraud policy, say) refused the call.
    var refused = false
    /// Whether the final answer waits for its call's CDR to be stored (nothing is resent meanwhile).
    var holdingFinal = false

    /// The request's Call-ID and tags, as validation read them.
    let dialog: DialogID

    init(key: ServerTransactionKey, request: SIPMessage, listener: Int, zone: GatewayZone, trunk: String?, dialog: DialogID) {
        self.key = key
        self.request = request
        self.listener = listener
        self.zone = zone
        self.trunk = trunk
        self.dialog = dialog
    }

    var source: SIPPeer { key.source }
    var isInvite: Bool { key.method == .invite }
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
