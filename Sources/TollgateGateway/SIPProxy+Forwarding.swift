import NIOCore
import SIPCore
import SIPTransport

extension SIPProxy {
    // MARK: - Targets

    /// Where an out-of-dialog request goes: from the outside to the PBX (with the fallback route
    /// behind it for INVITEs; in its place while "divert now" is on, as long as a fallback trunk is
    /// up); from the PBX to the trunks of the matching route that are up.
    func initialTargets(for request: SIPMessage, server: ServerTransaction) -> [ForwardTarget] {
        if server.zone == .external {
            let pbx = ForwardTarget(peer: settings.pbx, zone: .internal, trunk: nil)
            var fallbacks: [ForwardTarget] = []
            if request.method == .invite, let fallback = settings.config.fallback {
                for name in fallback.trunks {
                    guard let trunk = settings.trunks.first(where: { $0.name == name }), trunkHealth.isUp(name) else { continue }
                    fallbacks.append(ForwardTarget(peer: trunk.peer, zone: .external, trunk: name,
                                                   requestURI: trunkURI(user: fallback.target, trunk: trunk), isFallback: true))
                }
            }
            if divertsInbound, !fallbacks.isEmpty { return fallbacks }
            return [pbx] + fallbacks
        }
        if let phone = remotePhoneTarget(for: request) { return [phone] }
        let uri = try? SIPURI(parsing: request.requestURIText ?? "")
        let number = uri?.unescapedUser ?? ""
        guard let (rule, _) = settings.config.route(for: number) else { return [] }
        var dialled = number
        if rule.stripDigits > 0 { dialled = String(dialled.dropFirst(rule.stripDigits)) }
        dialled = rule.prependDigits + dialled
        return settings.config.trunksInOrder(for: number).compactMap { config in
            guard let trunk = settings.trunks.first(where: { $0.name == config.name }), trunkHealth.isUp(trunk.name) else { return nil }
            return ForwardTarget(peer: trunk.peer, zone: .external, trunk: trunk.name, requestURI: trunkURI(user: dialled, trunk: trunk))
        }
    }

    func trunkURI(user: String, trunk: ProxySettings.Trunk) -> String {
        var uri = SIPURI(host: trunk.uriHost.contains(":") ? "[\(trunk.uriHost)]" : trunk.uriHost, port: UInt16(clamping: trunk.uriPort))
        uri.user = user.isEmpty ? nil : SIPURI.escape(user, for: .user)
        if trunk.peer.transport != .udp { uri.parameters.append("transport", trunk.peer.transport.rawValue) }
        return uri.description
    }

    func forwardInitial(_ request: SIPMessage, server: ServerTransaction) {
        var targets = initialTargets(for: request, server: server)
        guard !targets.isEmpty else {
            emit(.noRoute, source: server.source, rule: "routing", detail: "no route or no trunk up for \(request.requestURIText ?? "")")
            respond(server, status: server.zone == .internal ? 503 : 404)
            return
        }
        let first = targets.removeFirst()
        server.remainingTargets = targets
        forward(request, server: server, to: first, initial: true)
    }

    /// In-dialog requests go to the other side of a dialog the gateway knows; anything else is
    /// refused (481), so no one can use the gateway as an open relay.
    /// `headers` are the request's validated headers (its CSeq and Contact move the dialog's state).
    func forwardInDialog(_ request: SIPMessage, dialog id: DialogID, from source: SIPPeer, listener: Int, zone: GatewayZone,
                         server: ServerTransaction? = nil, stateless: Bool = false, headers: SIPValidatedHeaders? = nil) {
        guard let (dialog, fromCaller) = dialogs.find(callID: id.callID, fromTag: id.fromTag, toTag: id.toTag) else {
            emit(.unknownDialog, source: source, rule: "dialog-match", detail: "\(request.method?.token ?? "") for no known dialog")
            if let server { respond(server, status: 481) }
            return
        }
        var target = fromCaller
            ? ForwardTarget(peer: dialog.callee, zone: dialog.calleeZone, trunk: dialog.trunk)
            : ForwardTarget(peer: dialog.caller, zone: dialog.callerZone, trunk: dialog.trunk)
        if hider != nil, target.zone == .internal, zone == .external {
            // The outside only knows Tollgate's address for this side: restore its real remote target.
            target.requestURI = fromCaller ? dialog.calleeContact : dialog.callerContact
        }
        if let server {
            if let headers {
                // A target refresh (re-INVITE, UPDATE) brings the sender's new Contact.
                let refreshes = request.method == .invite || request.method == .update
                let contact = refreshes ? headers.contacts.first?.address?.uri.description : nil
                dialogs.noteRequest(callID: dialog.callID, callerTag: dialog.callerTag, fromCaller: fromCaller, cseq: headers.cseq.sequence,
                                    contact: contact)
            }
            forward(request, server: server, to: target, initial: false)
        } else if stateless {
            var out = prepare(request, incomingListener: listener, target: target, initial: false)
            runCallHooks(on: &out, from: zone, towards: target.zone, trunk: dialog.trunk)
            let outgoing = self.listener(towards: target.zone, transport: target.peer.transport)
            out.insertHeader(.via, via(for: outgoing, transport: target.peer.transport, branch: newBranch()), at: 0)
            send(out, to: target.peer, from: outgoing?.id)
        }
    }

    // MARK: - Forwarding

    func via(for listener: SIPListenerSpec?, transport: SIPTransportProtocol, branch: String) -> String {
        "SIP/2.0/\(transport.viaToken) \(listener?.advertisedHostPort ?? "127.0.0.1");branch=\(branch);rport"
    }

    func recordRoute(for listener: SIPListenerSpec) -> String {
        addresses.recordRoutes[listener.id] ?? ListenerAddresses.recordRoute(for: listener)
    }

    /// Whether a Route value points at one of the gateway's listeners.
    func isOwnRoute(_ value: String) -> Bool {
        guard let address = try? SIPNameAddress(parsing: value) else { return false }
        return addresses.isOwn(address.uri)
    }

    /// The request as it leaves towards `target`, without Tollgate's Via yet: Max-Forwards
    /// decremented, Tollgate's own Route values removed, Record-Route added to dialog-creating
    /// requests, and, towards the outside, the inside's Via values and internal headers removed.
    func prepare(_ request: SIPMessage, incomingListener: Int, target: ForwardTarget, initial: Bool) -> SIPMessage {
        var out = request
        // RFC 16.4: a previous strict router put our URI in the Request-URI; the real one is the last Route.
        if let text = request.requestURIText, let uri = try? SIPURI(parsing: text), addresses.isOwn(uri), !uri.isLooseRouter,
            let last = out.values(of: .route).last, let target = try? SIPNameAddress(parsing: last)
        {
            out.setRequestURI(target.uri.description)
            let routes = out.values(of: .route).dropLast()
            out.removeHeaders(.route)
            for (offset, value) in routes.enumerated() { out.insertHeader(.route, value, at: offset) }
        }
        if let hops = (try? request.maxForwards()) ?? nil {
            out.setHeader(.maxForwards, String(hops &- 1))
        } else {
            out.insertHeader(.maxForwards, "70", at: 1)
        }
        while let top = out.values(of: .route).first, isOwnRoute(top) { out.removeFirstValue(of: .route) }
        if let uri = target.requestURI { out.setRequestURI(uri) }

        let outgoing = listener(towards: target.zone, transport: target.peer.transport)
        if initial, let method = request.method, [.invite, .subscribe, .refer].contains(method), let outgoing {
            if let incoming = listenerSpec(incomingListener), incoming.id != outgoing.id {
                out.insertHeader(.recordRoute, recordRoute(for: incoming), at: 0)
            }
            out.insertHeader(.recordRoute, recordRoute(for: outgoing), at: 0)
        }

        if target.zone == .external, hider != nil {
            // The inside's Via values stay behind; responses get them back from the server transaction.
            out.removeHeaders(.via)
        }
        return out
    }

    func forward(_ request: SIPMessage, server: ServerTransaction, to target: ForwardTarget, initial: Bool) {
        var out = prepare(request, incomingListener: server.listener, target: target, initial: initial)
        let outgoingListener = listener(towards: target.zone, transport: target.peer.transport)
        if server.zone == .external, server.trunk == nil {
            // Identity asserted by an untrusted phone is not passed on.
            out.removeHeaders(.pAssertedIdentity)
            if request.method == .register, settings.config.remotePhones {
                if settings.config.remotePhonesPath {
                    addPath(&out, from: server.source, towards: outgoingListener)
                } else {
                    rewriteRegisterContacts(&out, from: server.source, towards: outgoingListener)
                }
            }
        }
        if case .refuse(let status, let reason, let phrase) = runCallHooks(on: &out, from: server.zone, towards: target.zone, trunk: target.trunk ?? server.trunk,
                                                                     call: server.call) {
            logger.debug("offer refused by a call hook", metadata: ["status": "\(status)", "reason": "\(reason)"])
            if server.finalStatus == nil {
                server.refused = server.isInvite && initial
                respond(server, status: status, phrase: phrase)
            }
            return
        }
        let branch = newBranch()
        out.insertHeader(.via, via(for: outgoingListener, transport: target.peer.transport, branch: branch), at: 0)
        out = outgoing(out, to: target.zone)
        let method = request.method ?? .options
        let client = ClientTransaction(key: ClientTransactionKey(branch: branch, method: method), target: target, listener: outgoingListener?.id,
                                       request: out, timers: transactionTimers, owner: .relay(server))
        server.client = client
        start(client)
    }

    // MARK: - Client transactions

    /// No final answer came in time (timers B and F, or the failover timeout): the owner decides what next.
    func clientTimedOut(_ client: ClientTransaction) {
        switch client.owner {
        case .probe(let trunk):
            probeFailed(trunk)
        case .cancel, .hangup:
            break
        case .registration(let trunk):
            registrationTimedOut(trunk, client: client)
        case .relay(let server):
            targetFailed(client.target, reason: "no answer")
            guard server.finalStatus == nil else { return }
            if !tryNextTarget(server) {
                respond(server, status: client.key.method == .invite && client.answeredProvisionally ? 480 : 408)
            }
        }
    }

    /// A target did not answer or answered 503: mark its trunk down, or note the PBX unreachable.
    func targetFailed(_ target: ForwardTarget, reason: String) {
        if let trunk = target.trunk {
            if trunkHealth.markDown(trunk) {
                metrics.trunk(trunk, up: false)
                emit(.trunkDown, source: target.peer, rule: "trunk-health", detail: "\(trunk): \(reason)")
            }
        } else if target.zone == .internal {
            emit(.pbxUnreachable, source: target.peer, rule: "pbx-health", detail: reason)
        }
    }

    /// Fails over to the next target within the same server transaction. Returns false if none is left.
    func tryNextTarget(_ server: ServerTransaction) -> Bool {
        guard !server.cancelled, !server.remainingTargets.isEmpty else { return false }
        let next = server.remainingTargets.removeFirst()
        emit(.failover, source: next.peer, rule: "failover", detail: "retrying \(server.request.method?.token ?? "") via \(next.trunk ?? "the PBX")")
        forward(server.outgoingRequest, server: server, to: next, initial: true)
        return true
    }
}
