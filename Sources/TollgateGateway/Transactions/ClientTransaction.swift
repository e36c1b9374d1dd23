import NIOCore
import SIPCore
import SIPTransport

/// Identifies a client transaction: the branch Tollgate generated and the method.
struct ClientTransactionKey: Hashable {
    var branch: String
    var method: SIPMethod
}

/// The gateway's side of a transaction with the downstream hop: what the proxy keeps of it (the
/// request as sent, the target, who started it, the ACK of a failure) around its
/// ``ClientTransactionMachine``, which decides the retransmissions and the timers.
final class ClientTransaction: @unchecked Sendable {
    /// Who started the transaction: a request being relayed, the trunk monitor's probe, a CANCEL,
    /// the registration with a trunk (by name), or a BYE of the gateway's own ending a call.
    enum Owner {
        case relay(ServerTransaction)
        case probe(String)
        case cancel
        case registration(String)
        case hangup
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
    /// RFC 3261 §17.1's states and timers.
    var machine: ClientTransactionMachine
    /// The running timers the machine asked for: retransmission (A, E) and the end (B, F, D, K, L).
    var retransmitTimer: TimerWheel.Handle?
    var endTimer: TimerWheel.Handle?
    var ackBytes: [UInt8]?
    /// Whether an INVITE that answered provisionally was given until timer B, past the failover timeout.
    var waitedPastFailover = false

    init(key: ClientTransactionKey, target: ForwardTarget, listener: Int?, request: SIPMessage, timers: TransactionTimers, owner: Owner) {
        self.key = key
        self.machine = ClientTransactionMachine(isInvite: key.method == .invite, reliable: target.peer.transport != .udp, timers: timers)
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

    var state: ClientTransactionMachine.State { machine.state }

    /// The handle of one of the machine's timers.
    subscript(timer: ClientTransactionMachine.Timer) -> TimerWheel.Handle? {
        get { timer == .retransmit ? retransmitTimer : endTimer }
        set { if timer == .retransmit { retransmitTimer = newValue } else { endTimer = newValue } }
    }
    var answeredProvisionally: Bool { machine.answeredProvisionally }
}
