import NIOCore
import SIPCore
import SIPTransport

/// The proxy carries out what its transactions' state machines decide: sending, timers, forgetting.
extension SIPProxy {
    // MARK: - Server transactions

    func run(_ actions: [ServerTransactionMachine.Action], for server: ServerTransaction) {
        for action in actions {
            switch action {
            case .resend:
                if let bytes = server.lastResponse { sendBytes(bytes, to: server.source, from: server.listener) }
            case .start(let timer, let delay):
                server[timer]?.cancel()
                server[timer] = timers.schedule(after: delay) { [weak self, weak server] in
                    guard let self, let server else { return }
                    server[timer] = nil
                    self.run(server.machine.timerFired(timer), for: server)
                }
            case .cancel(let timer):
                server[timer]?.cancel()
                server[timer] = nil
            case .terminate:
                if serverTransactions[server.key] === server { serverTransactions[server.key] = nil }
            }
        }
    }

    // MARK: - Client transactions

    /// Carries out a client transaction's actions; `response` is the answer that caused them, if any
    /// (an ACK is made from it).
    func run(_ actions: [ClientTransactionMachine.Action], for client: ClientTransaction, response: SIPMessage? = nil) {
        for action in actions {
            switch action {
            case .resend:
                if let bytes = client.sent?.bytes { sendBytes(bytes, to: client.target.peer, from: client.listener) }
            case .acknowledge:
                if let response, let ack = makeACK(for: client, response: response) {
                    client.ackBytes = ack
                    sendBytes(ack, to: client.target.peer, from: client.listener)
                }
            case .resendACK:
                if let ack = client.ackBytes { sendBytes(ack, to: client.target.peer, from: client.listener) }
            case .start(let timer, let delay):
                client[timer]?.cancel()
                client[timer] = timers.schedule(after: delay) { [weak self, weak client] in
                    guard let self, let client else { return }
                    client[timer] = nil
                    self.clientTimerFired(timer, for: client)
                }
            case .cancel(let timer):
                client[timer]?.cancel()
                client[timer] = nil
            case .remove:
                if clientTransactions[client.key] === client { clientTransactions[client.key] = nil }
            case .timedOut:
                clientTimedOut(client)
            }
        }
    }

    func clientTimerFired(_ timer: ClientTransactionMachine.Timer, for client: ClientTransaction) {
        if timer == .end, client.state == .proceeding, client.key.method == .invite, let server = client.server, !server.remainingTargets.isEmpty {
            if client.waitedPastFailover {
                // Timer B proper expired too: no failover after all.
                server.remainingTargets = []
            } else {
                // It answered provisionally, so it is alive: wait for timer B proper, not the failover timer.
                client.waitedPastFailover = true
                run(client.machine.extendTimeout(by: transactionTimeout - settings.failoverTimeout), for: client)
                return
            }
        }
        run(client.machine.timerFired(timer), for: client)
    }

    /// Starts a client transaction: sends its request and sets its timers.
    func start(_ client: ClientTransaction, timeout: TimeAmount? = nil) {
        clientTransactions[client.key] = client
        if let sent = client.sent {
            metrics.sent(sent.request, zone: client.target.zone)
            sendBytes(sent.bytes, to: client.target.peer, from: client.listener)
        }
        var limit = timeout
        if client.key.method == .invite, let server = client.server, !server.remainingTargets.isEmpty {
            limit = settings.failoverTimeout
        }
        run(client.machine.start(timeout: limit), for: client)
    }

    /// Ends a client transaction at once, whatever its state.
    func terminate(_ client: ClientTransaction) {
        run(client.machine.terminate(), for: client)
    }
}
