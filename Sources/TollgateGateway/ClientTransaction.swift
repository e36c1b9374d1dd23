import NIOCore
import SIPCore
import SIPTransport

/// Identifies a client transaction: the branch Tollgate generated and the method.
struct ClientTransactionKey: Hashable {
    var branch: String
    var method: SIPMethod
}

/// The gateway's side of a transaction with the downstream hop (RFC 3261 §17.1): retransmits the
/// request over UDP (timers A, E), gives up after 64·T1 (timers B, F), ACKs final non-2xx answers
/// to an INVITE itself and absorbs their retransmissions (timer D), and keeps an accepted INVITE
/// long enough to forward retransmitted 2xx responses (RFC 6026 timer L).
final class ClientTransaction: @unchecked Sendable {
    enum State {
        case calling
        case proceeding
        case completed
        case accepted
        case terminated
    }

    /// Who started the transaction: a request being relayed, the trunk monitor's probe, a CANCEL,
    /// or the registration with a trunk (by name).
    enum Owner {
        case relay(ServerTransaction)
        case probe(String)
        case cancel
        case registration(String)
    }

    let key: ClientTransactionKey
    let target: ForwardTarget
    let listener: Int?
    /// The request as sent (with Tollgate's Via on top) and its bytes: what retransmission, a
    /// CANCEL, the ACK of a failure and a trunk's challenge are made from. Held only until the
    /// final answer has been dealt with (``releaseRequest()``), so a lingering transaction keeps
    /// just what absorbs stragglers: its key, state and ACK.
    private(set) var sent: Sent?
    let owner: Owner
    var state: State = .calling
    var retransmitTimer: TimerWheel.Handle?
    var timeoutTimer: TimerWheel.Handle?
    var retransmitInterval: TimeAmount = .milliseconds(500)
    var ackBytes: [UInt8]?

    init(key: ClientTransactionKey, target: ForwardTarget, listener: Int?, request: SIPMessage, owner: Owner) {
        self.key = key
        self.target = target
        self.listener = listener
        self.sent = Sent(request: request, bytes: request.serialized())
        self.owner = owner
    }

    /// A request and the bytes it was sent as.
    struct Sent {
        var request: SIPMessage
        var bytes: [UInt8]
    }

    /// The request as sent, while the transaction still waits for its final answer.
    var request: SIPMessage? { sent?.request }

    /// Lets go of the request once a final answer has ended the transaction.
    func releaseRequest() {
        sent = nil
    }

    var server: ServerTransaction? {
        if case .relay(let server) = owner { return server }
        return nil
    }

    func cancelTimers() {
        retransmitTimer?.cancel()
        retransmitTimer = nil
        timeoutTimer?.cancel()
        timeoutTimer = nil
    }
}
