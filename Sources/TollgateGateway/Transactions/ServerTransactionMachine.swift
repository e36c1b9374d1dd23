import NIOCore

/// The gateway's side of a transaction with the upstream hop (RFC 3261 §17.2, RFC 6026) as a pure
/// state machine: each input (a retransmitted request, a final answer sent, the ACK, a timer)
/// returns the ``Action``s the proxy carries out — resend the last response, start or cancel a
/// timer, forget the transaction. The proxy owns the messages, the sockets and the timing wheel.
///
/// - INVITE, non-2xx final: `completed`; over UDP the answer is resent from T1, doubling to T2
///   (timer G), until the ACK (`confirmed`, absorbing ACKs for T4 over UDP: timer I) or 64·T1 (timer H).
/// - INVITE 2xx: `accepted`, absorbing retransmitted INVITEs for the linger time (timer L).
/// - Non-INVITE final: `accepted` for the linger time over UDP (timer J), gone at once over TCP/TLS.
/// - A final answer held back (waiting for its call's CDR) is not resent until released.
struct ServerTransactionMachine: Sendable {
    enum State: Sendable, Hashable {
        /// No final answer yet.
        case proceeding
        /// An INVITE's non-2xx final answer was sent; waiting for the ACK.
        case completed
        /// The ACK came; absorbing retransmitted ACKs.
        case confirmed
        /// The final answer was sent (a 2xx to an INVITE, any to others); absorbing retransmissions.
        case accepted
        /// Over; the proxy forgets it.
        case terminated
    }

    /// The transaction's two timers: the retransmission of its final answer (G), and the one that ends it (H, I, J, L).
    enum Timer: Sendable, Hashable {
        case retransmit
        case end
    }

    enum Action: Sendable, Hashable {
        /// Send the last response again.
        case resend
        /// (Re)start a timer; when it fires, call ``timerFired(_:)``.
        case start(Timer, after: TimeAmount)
        case cancel(Timer)
        /// Forget the transaction.
        case terminate
    }

    let isInvite: Bool
    /// Whether the transport is reliable (TCP, TLS): nothing is retransmitted, nothing lingers for UDP's sake.
    let reliable: Bool
    let timers: TransactionTimers

    private(set) var state: State = .proceeding
    private(set) var finalStatus: Int?
    /// Whether the final answer waits for something (its call's CDR) before it may be sent or resent.
    private(set) var holdingFinal = false
    private var retransmitInterval: TimeAmount

    init(isInvite: Bool, reliable: Bool, timers: TransactionTimers) {
        self.isInvite = isInvite
        self.reliable = reliable
        self.timers = timers
        self.retransmitInterval = timers.t1
    }

    /// The request came again: the last response answers it, unless it is being held.
    func requestRetransmitted(hasResponse: Bool) -> [Action] {
        hasResponse && !holdingFinal ? [.resend] : []
    }

    /// A final answer was sent (or is held to be sent); the first one counts.
    mutating func finalSent(status: Int) -> [Action] {
        guard finalStatus == nil, state == .proceeding else { return [] }
        finalStatus = status
        var actions: [Action] = [.cancel(.end)]
        if isInvite, status >= 300 {
            state = .completed
            if !reliable {
                retransmitInterval = timers.t1
                actions.append(.start(.retransmit, after: retransmitInterval))
            }
            actions.append(.start(.end, after: timers.transactionTimeout))
            return actions
        }
        let lifetime: TimeAmount = isInvite || !reliable ? timers.linger : .zero
        if lifetime == .zero {
            state = .terminated
            actions.append(.terminate)
        } else {
            state = .accepted
            actions.append(.start(.end, after: lifetime))
        }
        return actions
    }

    /// The ACK for a non-2xx final answer to an INVITE came.
    mutating func ackReceived() -> [Action] {
        guard state == .completed else { return [] }
        if reliable {
            state = .terminated
            return [.cancel(.retransmit), .cancel(.end), .terminate]
        }
        state = .confirmed
        return [.cancel(.retransmit), .start(.end, after: timers.t4)]
    }

    mutating func timerFired(_ timer: Timer) -> [Action] {
        switch timer {
        case .retransmit:
            guard state == .completed else { return [] }
            let resend: [Action] = holdingFinal ? [] : [.resend]
            retransmitInterval = .nanoseconds(min(retransmitInterval.nanoseconds * 2, timers.t2.nanoseconds))
            return resend + [.start(.retransmit, after: retransmitInterval)]
        case .end:
            guard state != .terminated else { return [] }
            state = .terminated
            return [.cancel(.retransmit), .terminate]
        }
    }

    /// The final answer waits (for its call's CDR); nothing is resent meanwhile.
    mutating func holdFinal() { holdingFinal = true }

    /// The held final answer is sent now.
    mutating func releaseFinal() { holdingFinal = false }
}
