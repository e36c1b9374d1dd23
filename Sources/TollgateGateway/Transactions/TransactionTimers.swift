import NIOCore

/// The RFC 3261 timer values a transaction runs with (§17.1.1.1, table 4).
struct TransactionTimers: Sendable, Hashable {
    /// The round-trip estimate: the first retransmission interval.
    var t1: TimeAmount = .milliseconds(500)
    /// The longest retransmission interval for non-INVITE requests and INVITE responses.
    var t2: TimeAmount = .seconds(4)
    /// How long a message may stay in the network: what a transaction lingers to absorb stragglers.
    var t4: TimeAmount = .seconds(5)
    /// How long an INVITE transaction stays after a 2xx (RFC 6026 timer L), and after a failure over UDP.
    var linger: TimeAmount = .seconds(32)

    /// 64·T1: timers B, F and H.
    var transactionTimeout: TimeAmount { .nanoseconds(t1.nanoseconds * 64) }
}
