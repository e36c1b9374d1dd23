import NIOCore
import SIPCore
import SIPTransport

extension SIPProxy {
    /// Handles a response; `validation` tells what validation against its zone's rules makes of it.
    func handleResponse(_ response: SIPMessage, validation: InboundValidation, from source: SIPPeer,
                        zone: GatewayZone) {
        guard let status = response.statusCode else {
            emit(.invalid, source: source, rule: "response-status", detail: "a response without a status code")
            return
        }
        // Validated first: the top Via's branch and the CSeq that find the transaction come from it.
        let headers: SIPValidatedHeaders
        switch validation.result() {
        case .success(let valid):
            headers = valid
        case .failure(let error):
            emit(.invalid, source: source, rule: error.rule.rawValue, detail: error.description)
            return
        }
        guard let branch = headers.topVia.branch else {
            emit(.strayResponse, source: source, rule: "transaction-match", detail: "\(status) without a Via branch")
            return
        }
        guard let client = clientTransactions[ClientTransactionKey(branch: branch, method: headers.cseq.method)] else {
            emit(.strayResponse, source: source, rule: "transaction-match", detail: "\(status) for no transaction of ours")
            return
        }
        // Only the peer the request went to may answer it.
        guard source.ipAddress == client.target.peer.ipAddress else {
            emit(.strayResponse, source: source, rule: "transaction-match", detail: "\(status) from \(source), request went to \(client.target.peer)")
            return
        }
        // Once its final answer is dealt with, a transaction only absorbs stragglers.
        defer { if client.state != .calling && client.state != .proceeding { client.releaseRequest() } }

        switch client.owner {
        case .probe(let trunk):
            guard status >= 200 else {
                run(client.machine.received(status: status).1, for: client)
                return
            }
            terminate(client)
            if status == 503 { probeFailed(trunk) } else { probeSucceeded(trunk) }
        case .cancel, .hangup:
            run(client.machine.received(status: status).1, for: client)
        case .registration(let trunk):
            let (kind, actions) = client.machine.received(status: status)
            run(actions, for: client)
            if kind == .final { registrationAnswered(response, trunk: trunk) }
        case .relay(let server):
            handleRelayedResponse(response, headers: headers, status: status, client: client, server: server)
        }
    }

    func handleRelayedResponse(_ response: SIPMessage, headers: SIPValidatedHeaders, status: Int, client: ClientTransaction,
                               server: ServerTransaction) {
        let isInvite = client.key.method == .invite
        let (kind, actions) = client.machine.received(status: status)
        run(actions, for: client, response: response)
        switch kind {
        case .ignored:
            return
        case .retransmission:
            // A retransmitted 2xx to an INVITE travels end to end; anything else was absorbed (and a failure ACKed again).
            if client.state == .accepted, (200..<300).contains(status) { relayUpstream(response, client: client, server: server, final: false) }
            return
        case .provisional:
            guard status > 100 else { return }
            if isInvite { noteDialog(headers, client: client, server: server, confirmed: false) }
            relayUpstream(response, client: client, server: server, final: false)
            return
        case .final:
            break
        }

        if let trunk = client.target.trunk, status != 503, trunkHealth.succeeded(trunk) {
            metrics.trunk(trunk, up: true)
            emit(.trunkUp, source: client.target.peer, rule: "trunk-health", detail: "\(trunk) answered \(status)")
        }

        if status < 300 {
            var durable: EventLoopFuture<Void>?
            if isInvite {
                if server.finalStatus == nil { callAnswered(server, trunk: client.target.trunk) }
            } else {
                if client.key.method == .bye {
                    durable = callHungUp(server.dialog)
                    endDialog(server.dialog)
                }
            }
            relayUpstream(response, client: client, server: server, final: true, after: durable)
            // What changes nothing in the answer is done once it has gone: the dialog it confirms
            // (needed only by the requests that follow, which the loop handles after this one) and
            // the observers.
            if isInvite { noteDialog(headers, client: client, server: server, confirmed: true, answer: response) }
            if !exchangeObservers.isEmpty {
                exchangeObservers.tell(SIPExchange(
                    request: server.request, response: response,
                    requester: ExchangeParty(address: server.source.ipAddress, zone: server.zone, trunk: server.trunk),
                    responder: ExchangeParty(address: client.target.peer.ipAddress, zone: client.target.zone, trunk: client.target.trunk),
                    time: wallClock))
            }
            return
        }

        // 3xx–6xx (an INVITE's failure is ACKed already)
        var durable: EventLoopFuture<Void>?
        if !isInvite {
            if client.key.method == .bye {
                durable = callHungUp(server.dialog)
                endDialog(server.dialog)
            }
        }
        if status == 401 || status == 407, answerTrunkChallenge(response, status: status, client: client, server: server) { return }
        if status == 503 || status == 408 {
            targetFailed(client.target, reason: "answered \(status)")
            if server.finalStatus == nil, tryNextTarget(server) { return }
        }
        if isInvite {
            endDialog(server.dialog)
            if server.finalStatus == nil { durable = callFailed(server, status: status) }
        }
        relayUpstream(response, client: client, server: server, final: true, after: durable)
    }

    /// Replaces the Via values with the request's own (Tollgate's removed, those hidden from the
    /// outside restored) and sends the response to where the request came from.
    func relayUpstream(_ response: SIPMessage, client: ClientTransaction, server: ServerTransaction, final: Bool,
                       after durable: EventLoopFuture<Void>? = nil) {
        // The Via values upstream are the ones the request arrived with, whatever the downstream
        // side sent back: it cannot redirect a response, and the values hidden from it come back.
        var out = response
        if final, let concealed = shieldReviewAnswer(response, server: server) { out = concealed }
        out.removeHeaders(.via)
        for (offset, value) in server.request.values(of: .via).enumerated() { out.insertHeader(.via, value, at: offset) }
        if client.key.method == .register, server.zone == .external, (200..<300).contains(out.statusCode ?? 0) {
            if settings.config.remotePhonesPath {
                keepOwnContacts(&out, registered: server.request)
            } else {
                restoreRegisterContacts(&out)
            }
            // The Path Tollgate added names its inside: the phone does not need it.
            out.removeHeaders(.path)
        }
        runCallHooks(on: &out, from: client.target.zone, towards: server.zone, trunk: client.target.trunk ?? server.trunk)
        out = outgoing(out, to: server.zone)
        let bytes = out.serialized()
        metrics.sent(out, zone: server.zone)
        if final {
            finish(server, bytes: bytes, status: out.statusCode ?? 500)
        } else {
            server.lastResponse = bytes
        }
        sendFinal(bytes, for: server, after: durable)
    }

    /// Answers a server transaction with a locally made final response.
    func respond(_ server: ServerTransaction, status: Int, phrase: String? = nil) {
        let reason = phrase ?? SIPStatus.reasonPhrase(for: status)
        let response = outgoing(server.request.makeResponse(status: status, reason: reason, toTag: localTag()),
                                to: server.zone)
        let bytes = response.serialized()
        metrics.sent(response, zone: server.zone)
        let durable = server.finalStatus == nil && server.isInvite && status >= 300 ? callFailed(server, status: status) : nil
        finish(server, bytes: bytes, status: status)
        sendFinal(bytes, for: server, after: durable)
    }

    /// Records the final response; the transaction's machine sets the timers that end it
    /// (G and H for a non-2xx answer to an INVITE over UDP, J for others, L after a 2xx).
    func finish(_ server: ServerTransaction, bytes: [UInt8], status: Int) {
        guard server.finalStatus == nil else { return }
        server.lastResponse = bytes
        run(server.machine.finalSent(status: status), for: server)
    }

    /// The hop-by-hop ACK for a non-2xx answer to a forwarded INVITE (RFC 3261 §17.1.1.3).
    func makeACK(for client: ClientTransaction, response: SIPMessage) -> [UInt8]? {
        guard let invite = client.request else { return nil }
        var headers: [(SIPHeaderName, String)] = []
        if let via = invite.values(of: .via).first { headers.append((.via, via)) }
        for route in invite.values(of: .route) { headers.append((.route, route)) }
        if let from = invite.firstValue(of: .from) { headers.append((.from, from)) }
        if let to = response.firstValue(of: .to) { headers.append((.to, to)) }
        if let callID = invite.firstValue(of: .callID) { headers.append((.callID, callID)) }
        headers.append((.cseq, "\((try? invite.cseq().sequence) ?? 1) ACK"))
        headers.append((.maxForwards, "70"))
        return SIPMessage(method: .ack, uri: invite.requestURIText ?? "", headers: headers).serialized()
    }

    // MARK: - Dialogs

    func noteDialog(_ response: SIPValidatedHeaders, client: ClientTransaction, server: ServerTransaction, confirmed: Bool,
                    answer: SIPMessage? = nil) {
        guard let callerTag = response.from.tag else { return }
        let callID = response.callID
        let calleeTag = response.to.tag
        let calleeContact = response.contacts.first?.address?.uri.description
        if dialogs.find(callID: callID, fromTag: callerTag, toTag: nil) == nil {
            let callerContact = (try? server.request.contacts().first?.address?.uri.description) ?? nil
            dialogs.begin(DialogInfo(callID: callID, callerTag: callerTag, calleeTag: calleeTag, caller: server.source,
                                     callee: client.target.peer, callerZone: server.zone, calleeZone: client.target.zone,
                                     trunk: client.target.trunk ?? server.trunk, callerContact: callerContact,
                                     calleeContact: calleeContact, state: .early, created: .now()))
        } else if let calleeTag {
            dialogs.setCalleeTag(callID: callID, callerTag: callerTag, calleeTag: calleeTag, calleeContact: calleeContact)
        }
        guard confirmed else { return }
        dialogs.confirm(callID: callID, callerTag: callerTag, calleeTag: calleeTag, at: .now())
        if let answer, let sent = client.request,
           let legs = DialogLegs(received: server.request, from: server.source, callerListener: server.listener, sent: sent,
                                 to: client.target.peer, calleeListener: client.listener, answer: answer, isOwnRoute: { self.isOwnRoute($0) })
        {
            dialogs.setLegs(callID: callID, callerTag: callerTag, legs)
        }
    }

    /// Ends the dialog a BYE (or a failed INVITE) belongs to.
    func endDialog(_ id: DialogID) {
        let callID = id.callID
        guard let (dialog, _) = dialogs.find(callID: callID, fromTag: id.fromTag, toTag: id.toTag) else { return }
        dialogs.end(callID: callID, callerTag: dialog.callerTag, at: .now())
        if dialogs.dialogs[callID] == nil { callIDs.remove(internal: callID) }
    }

    // MARK: - Trunk probes

    /// Sends an OPTIONS to every trunk whose probe is enabled.
    public func probeTrunks() {
        for trunk in settings.trunks where trunk.probe.enabled {
            probe(trunk)
        }
    }

    func probe(_ trunk: ProxySettings.Trunk) {
        let target = ForwardTarget(peer: trunk.peer, zone: .external, trunk: trunk.name)
        let outgoing = listener(towards: .external, transport: trunk.peer.transport)
        let branch = newBranch()
        let local = outgoing?.advertisedHostPort ?? "127.0.0.1"
        let uri = trunkURI(user: "", trunk: trunk)
        let probe = SIPMessage(method: .options, uri: uri, headers: [
            (.via, via(for: outgoing, transport: trunk.peer.transport, branch: branch)),
            (.maxForwards, "70"),
            (.from, "<sip:tollgate@\(local)>;tag=\(localTag())"),
            (.to, "<\(uri)>"),
            (.callID, "probe-\(localTag())@\(local)"),
            (.cseq, "1 OPTIONS"),
        ])
        let client = ClientTransaction(key: ClientTransactionKey(branch: branch, method: .options), target: target, listener: outgoing?.id,
                                       request: probe, timers: transactionTimers, owner: .probe(trunk.name))
        start(client, timeout: .milliseconds(Int64(trunk.probe.timeout * 1000)))
    }

    func probeFailed(_ name: String) {
        let threshold = settings.trunks.first { $0.name == name }?.probe.failures ?? 3
        if trunkHealth.probeFailed(name, threshold: threshold), let trunk = settings.trunks.first(where: { $0.name == name }) {
            metrics.trunk(name, up: false)
            emit(.trunkDown, source: trunk.peer, rule: "trunk-probe", detail: "\(name): \(threshold) probes unanswered")
        }
    }

    func probeSucceeded(_ name: String) {
        if trunkHealth.succeeded(name), let trunk = settings.trunks.first(where: { $0.name == name }) {
            metrics.trunk(name, up: true)
            emit(.trunkUp, source: trunk.peer, rule: "trunk-probe", detail: "\(name) answers OPTIONS again")
        }
    }

    // MARK: - Housekeeping

    /// Expires dialogs that outlived their limits and records the gauges. Called periodically.
    public func housekeeping() {
        let now = NIODeadline.now()
        let expired = dialogs.expire(createdBefore: now - settings.earlyDialogLifetime, answeredBefore: now - settings.confirmedDialogLifetime, at: now)
        for ended in expired where dialogs.dialogs[ended.callID] == nil {
            callIDs.remove(internal: ended.callID)
        }
        callsExpired(expired)
        bindings.expire(now: now)
        // Call-IDs of requests outside dialogs (OPTIONS, MESSAGE, REGISTER) are forgotten after an hour of silence.
        callIDs.sweep(olderThan: 3_600, keeping: Set(dialogs.dialogs.keys))
        metrics.record(serverTransactions: serverTransactions.count, clientTransactions: clientTransactions.count,
                       early: dialogs.early, confirmed: dialogs.confirmed)
        let wallClock = clock()
        events.sweep()
        if let shield {
            shield.sweep(now: wallClock)
            metrics.record(trackedSources: shield.trackedSources, activeBans: shield.activeBans(now: wallClock).count)
        }
    }
}
