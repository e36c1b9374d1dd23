import NIOCore

/// The gateway's side of a transaction with the downstream hop (RFC 3261 §17.1, RFC 6026) as a
/// pure state machine: each input (start, a response, a timer) returns the ``Action``s the proxy
/// carries out, and a response is classified for the proxy to pass on or absorb.
///
/// - Over UDP the request is resent from T1, doubling (INVITE: timer A, without a cap while
///   `calling`; non-INVITE: timer E, capped at T2, also while `proceeding`).
/// - No final answer within the timeout (64·T1: timers B and F, or the shorter failover timeout the
///   proxy asks for) ends it as timed out.
/// - An INVITE's 2xx: `accepted`, forwarding retransmitted 2xx end to end for the linger time (timer L).
/// - An INVITE's failure: `completed`, ACKed here, the ACK repeated for each retransmitted failure,
///   for the linger time over UDP (timer D).
/// - A non-INVITE final: `completed`, absorbing retransmissions for T4 over UDP (timer K).
struct ClientTransactionMachine: Sendable {
    enum State: Sendable, Hashable {
        case calling
        case proceeding
        case completed
        case accepted
        case terminated
    }

    /// The retransmission timer (A, E) and the one that ends the transaction (B, F, D, K, L).
    enum Timer: Sendable, Hashable {
        case retransmit
        case end
    }

    enum Action: Sendable, Hashable {
        /// Send the request again.
        case resend
        /// ACK the failure just received (hop by hop).
        case acknowledge
        /// Send the ACK made for the failure again.
        case resendACK
        case start(Timer, after: TimeAmount)
        case cancel(Timer)
        /// Forget the transaction.
        case remove
        /// No final answer came in time.
        case timedOut
    }

    /// What a response is to this transaction.
    enum Response: Sendable, Hashable {
        /// 1xx while waiting: pass it on.
        case provisional
        /// The final answer: pass it on.
        case final
        /// A final answer again, after the first: absorbed (a 2xx to an INVITE still travels end to end).
        case retransmission
        /// The transaction is over.
        case ignored
    }

    let isInvite: Bool
    let reliable: Bool
    let timers: TransactionTimers

    private(set) var state: State = .calling
    /// Whether a provisional answer came (the peer is alive, the request reached it).
    private(set) var answeredProvisionally = false
    private var retransmitInterval: TimeAmount

    init(isInvite: Bool, reliable: Bool, timers: TransactionTimers) {
        self.isInvite = isInvite
        self.reliable = reliable
        self.timers = timers
        self.retransmitInterval = timers.t1
    }

    /// Whether no final answer has come yet.
    var isPending: Bool { state == .calling || state == .proceeding }

    /// The request was sent for the first time; `timeout` is when to give up on a final answer.
    mutating func start(timeout: TimeAmount? = nil) -> [Action] {
        var actions: [Action] = []
        if !reliable {
            retransmitInterval = timers.t1
            actions.append(.start(.retransmit, after: retransmitInterval))
        }
        actions.append(.start(.end, after: timeout ?? timers.transactionTimeout))
        return actions
    }

    /// Gives a pending transaction until `after` from now for its final answer.
    mutating func extendTimeout(by after: TimeAmount) -> [Action] {
        isPending ? [.start(.end, after: after)] : []
    }

    mutating func received(status: Int) -> (Response, [Action]) {
        switch state {
        case .terminated:
            return (.ignored, [])
        case .completed:
            return (.retransmission, isInvite ? [.resendACK] : [])
        case .accepted:
            return (.retransmission, [])
        case .calling, .proceeding:
            break
        }
        if status < 200 {
            state = .proceeding
            answeredProvisionally = true
            return (.provisional, isInvite ? [.cancel(.retransmit)] : [])
        }
        var actions: [Action] = [.cancel(.retransmit), .cancel(.end)]
        if isInvite, status < 300 {
            state = .accepted
            actions += linger(timers.linger)
        } else if isInvite {
            state = .completed
            actions.append(.acknowledge)
            actions += linger(reliable ? .zero : timers.linger)
        } else {
            state = .completed
            actions += linger(reliable ? .zero : timers.t4)
        }
        return (.final, actions)
    }

    private func linger(_ delay: TimeAmount) -> [Action] {
        delay > .zero ? [.start(.end, after: delay)] : [.remove]
    }

    mutating func timerFired(_ timer: Timer) -> [Action] {
        switch timer {
        case .retransmit:
            guard state == .calling || (state == .proceeding && !isInvite) else { return [] }
            let doubled = retransmitInterval.nanoseconds * 2
            retransmitInterval = isInvite ? .nanoseconds(doubled) : .nanoseconds(min(doubled, timers.t2.nanoseconds))
            return [.resend, .start(.retransmit, after: retransmitInterval)]
        case .end:
            let wasPending = isPending
            guard state != .terminated else { return [] }
            state = .terminated
            return [.cancel(.retransmit), .remove] + (wasPending ? [.timedOut] : [])
        }
    }

    /// Ends it now, whatever its state (a probe's answer needs nothing more).
    mutating func terminate() -> [Action] {
        state = .terminated
        return [.cancel(.retransmit), .cancel(.end), .remove]
    }
}
