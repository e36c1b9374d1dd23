import NIOCore
import SIPCore
import SIPTransport

extension SIPProxy {
    /// Handles a request; `validation` tells what validation against its zone's rules makes of it,
    /// asked once Shield and admission let it through.
    func handleRequest(_ request: SIPMessage, validation: InboundValidation, from source: SIPPeer,
                       listener: Int, zone: GatewayZone) {
        guard let method = request.method else { return }

        // Shield first: scanners, floods and sweeps are dropped (and banned) whatever else is true.
        if zone == .external, shield != nil, !shieldAdmits(request, from: source) { return }

        // Admission: the external zone is deny-by-default.
        var trunk: String?
        if zone == .external {
            trunk = self.trunk(forSource: source)
            if trunk == nil, !settings.config.remotePhones {
                emit(.unknownSource, source: source, rule: "default-deny", detail: "\(method) from an address that is no trunk")
                return
            }
        }

        let headers: SIPValidatedHeaders
        switch validation.result() {
        case .success(let valid):
            headers = valid
        case .failure(let error):
            emit(.invalid, source: source, rule: error.rule.rawValue, detail: error.description)
            if zone == .external { shieldNoteMalformed(from: source, message: request) }
            let extra: [(SIPHeaderName, String)] = error.unsupportedTags.isEmpty ? [] : [(.unsupported, error.unsupportedTags.joined(separator: ", "))]
            replyStatelessly(request, status: error.status, to: source, listener: listener, extraHeaders: extra)
            return
        }

        // The typed headers validation parsed: a top Via, From, To and Call-ID.
        let via = headers.topVia
        let branch = via.branch ?? ""
        let dialog = DialogID(callID: headers.callID, fromTag: headers.from.tag, toTag: headers.to.tag)

        if isLoop(vias: headers.vias) {
            emit(.loop, source: source, rule: "loop-detection", detail: "request already passed through this gateway")
            replyStatelessly(request, status: 482, to: source, listener: listener)
            return
        }

        switch method {
        case .ack:
            if let server = serverTransactions[ServerTransactionKey(branch: branch, method: .invite, source: source)] {
                // ACK for a non-2xx final answer: hop-by-hop, ends here.
                run(server.machine.ackReceived(), for: server)
                return
            }
            forwardInDialog(request, dialog: dialog, from: source, listener: listener, zone: zone, stateless: true)
        case .cancel:
            handleCancel(request, branch: branch, from: source, listener: listener)
        default:
            let key = ServerTransactionKey(branch: branch, method: method, source: source)
            if let existing = serverTransactions[key] {
                metrics.retransmissionAbsorbed()
                run(existing.machine.requestRetransmitted(hasResponse: existing.lastResponse != nil), for: existing)
                return
            }
            let server = ServerTransaction(key: key, request: Self.markingReceived(request, via: via, from: source), listener: listener,
                                           zone: zone, trunk: trunk, dialog: dialog, timers: transactionTimers)
            serverTransactions[key] = server
            if method == .invite {
                let trying = request.makeResponse(status: 100, reason: "Trying")
                server.lastResponse = sendMade(trying, to: source, from: listener)
            }
            if dialog.toTag != nil {
                forwardInDialog(server.request, dialog: dialog, from: source, listener: listener, zone: zone, server: server, headers: headers)
            } else {
                if method == .invite {
                    admitCall(server, from: headers.from)
                } else {
                    forwardInitial(server.request, server: server)
                }
            }
        }
    }

    /// RFC 3261 §18.2.1 and RFC 3581: the top Via gets `received` when the packet came from another
    /// address than its sent-by, and `rport` gets the source port when the client asked for it.
    static func markingReceived(_ request: SIPMessage, via: SIPVia, from source: SIPPeer) -> SIPMessage {
        var marked = via
        var changed = false
        let sentBy = via.host.hasPrefix("[") ? String(via.host.dropFirst().dropLast()) : via.host
        if sentBy.lowercased() != source.ipAddress.lowercased() {
            marked.received = source.ipAddress
            changed = true
        }
        if via.rport == .requested {
            marked.rport = .value(UInt16(clamping: source.port))
            changed = true
        }
        guard changed else { return request }
        var out = request
        out.removeFirstValue(of: .via)
        out.insertHeader(.via, marked.description, at: 0)
        return out
    }

    /// A request carrying a Via that this gateway wrote with a branch it made is looping.
    func isLoop(vias: [SIPVia]) -> Bool {
        let marker = SIPVia.magicCookie + "tg"
        return vias.contains { via in
            guard let branch = via.branch, branch.hasPrefix(marker), branch.hasSuffix("." + branchSalt) else { return false }
            return settings.listeners.contains { $0.spec.advertisedHost == via.host && $0.spec.port == Int(via.port ?? 5060) }
        }
    }

    // MARK: - CANCEL

    func handleCancel(_ cancel: SIPMessage, branch: String, from source: SIPPeer, listener: Int) {
        guard let server = serverTransactions[ServerTransactionKey(branch: branch, method: .invite, source: source)] else {
            replyStatelessly(cancel, status: 481, to: source, listener: listener)
            return
        }
        // RFC 3261 §16.10: answer the CANCEL, then cancel the pending branch downstream.
        replyStatelessly(cancel, status: 200, to: source, listener: listener)
        guard server.finalStatus == nil, !server.cancelled else { return }
        if server.preparing {
            // Not routed yet: nobody downstream will answer the INVITE, so the gateway does.
            respond(server, status: 487)
        }
        server.cancelled = true
        server.remainingTargets = []
        if let client = server.client, client.state == .calling || client.state == .proceeding {
            sendCancel(for: client)
        }
    }

    /// Sends a CANCEL for a forwarded INVITE: same Request-URI, Call-ID, From, To, CSeq number
    /// and Route set, and a Via with the INVITE's branch (RFC 3261 §9.1).
    func sendCancel(for client: ClientTransaction) {
        guard let invite = client.request else { return }
        var headers: [(SIPHeaderName, String)] = []
        if let via = invite.values(of: .via).first { headers.append((.via, via)) }
        for route in invite.values(of: .route) { headers.append((.route, route)) }
        for name in [SIPHeaderName.from, .to, .callID] {
            if let value = invite.firstValue(of: name) { headers.append((name, value)) }
        }
        let sequence = (try? invite.cseq().sequence) ?? 1
        headers.append((.cseq, "\(sequence) CANCEL"))
        headers.append((.maxForwards, "70"))
        let cancel = SIPMessage(method: .cancel, uri: invite.requestURIText ?? "", headers: headers)
        let transaction = ClientTransaction(key: ClientTransactionKey(branch: client.key.branch, method: .cancel), target: client.target,
                                            listener: client.listener, request: cancel, timers: transactionTimers, owner: .cancel)
        start(transaction)
    }
}
