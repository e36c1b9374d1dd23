import TollgateModel
import NIOCore
import SIPCore
import SIPTransport
import TollgateConfig

extension SIPProxy {
    // MARK: - Starting and stopping

    /// Starts registering with every trunk whose credentials say `register: true`.
    /// Must run on the event loop, once the listeners are up.
    public func startRegistrations() {
        for trunk in settings.trunks {
            guard let credentials = trunk.credentials, credentials.register, registrations[trunk.name] == nil else { continue }
            let slot = makeRegistrationSlot(trunk, credentials: credentials)
            registrations[trunk.name] = slot
            let actions = slot.machine.start()
            perform(actions, for: slot)
        }
    }

    /// Unregisters from every trunk where a binding may exist (`Expires: 0`, best effort) and stops
    /// refreshing. Must run on the event loop, before ``stop()``. Returns whether an unregistration
    /// is in flight; ``registrationsPending`` says when it is over.
    @discardableResult
    public func stopRegistrations() -> Bool {
        for slot in registrations.values {
            let actions = slot.machine.stop()
            perform(actions, for: slot)
        }
        return registrationsPending
    }

    /// Whether a REGISTER is still waiting for its answer.
    public var registrationsPending: Bool {
        registrations.values.contains { $0.machine.phase == .registering || $0.machine.phase == .unregistering }
    }

    /// Each registering trunk's state, for the status file.
    public var registrationStatuses: [String: RegistrationStatus] {
        registrations.mapValues { slot in
            RegistrationStatus(state: slot.machine.phase.rawValue, expires: slot.machine.grantedExpiry, lastFailure: slot.machine.lastFailure)
        }
    }

    func makeRegistrationSlot(_ trunk: ProxySettings.Trunk, credentials: TrunkCredentials) -> RegistrationSlot {
        let outgoing = listener(towards: .external, transport: trunk.peer.transport)
        let user = SIPURI.escape(credentials.username, for: .user)
        let host = trunk.uriHost.contains(":") ? "[\(trunk.uriHost)]" : trunk.uriHost
        // The advertised address of the listener the REGISTERs leave from; the first external one's otherwise.
        var contact = (try? SIPURI(parsing: "sip:\(user)@\(outgoing?.advertisedHostPort ?? externalHostPort)"))
            ?? SIPURI(user: user, host: externalHost)
        if trunk.peer.transport != .udp { contact.parameters.append("transport", trunk.peer.transport.rawValue) }
        let machine = TrunkRegistration(trunk: trunk.name, credentials: credentials, requestURI: trunkURI(user: "", trunk: trunk))
        return RegistrationSlot(machine: machine, trunk: trunk, listener: outgoing, addressOfRecord: "<sip:\(user)@\(host)>",
                                fromTag: localTag(), callID: "reg-\(localTag())@\(externalHost)", contact: contact)
    }

    // MARK: - Inputs from transactions and timers

    /// A final response to a REGISTER of the registration with `trunk`.
    func registrationAnswered(_ response: SIPMessage, trunk: String) {
        guard let slot = registrations[trunk], let answer = TrunkRegistration.Response(response, contact: slot.contact) else { return }
        let actions = slot.machine.receive(answer, cnonce: makeCNonce())
        perform(actions, for: slot)
    }

    /// A REGISTER of the registration with `trunk` got no final answer.
    func registrationTimedOut(_ trunk: String, client: ClientTransaction) {
        guard let slot = registrations[trunk], let cseq = try? client.request?.cseq() else { return }
        let actions = slot.machine.timedOut(cseq: cseq.sequence)
        perform(actions, for: slot)
    }

    /// A random client nonce for Digest credentials.
    func makeCNonce() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    // MARK: - Actions

    func perform(_ actions: [TrunkRegistration.Action], for slot: RegistrationSlot) {
        let name = slot.trunk.name
        for action in actions {
            switch action {
            case .send(let request):
                sendRegister(request, for: slot)
            case .schedule(let delay):
                slot.timer?.cancel()
                slot.timer = timers.schedule(after: delay) { [weak self, weak slot] in
                    guard let self, let slot else { return }
                    slot.timer = nil
                    let actions = slot.machine.timerFired()
                    self.perform(actions, for: slot)
                }
            case .cancelTimer:
                slot.timer?.cancel()
                slot.timer = nil
            case .registered(let expires, let renewed):
                if renewed {
                    logger.debug("registration refreshed", metadata: ["trunk": "\(name)", "expires": "\(expires)"])
                } else {
                    emit(.registered, address: slot.trunk.peer.ipAddress, rule: "trunk-registration",
                         detail: "\(name): registered as \(slot.machine.credentials.username) for \(expires) s", severity: .info)
                }
            case .failed(let reason, let retryIn):
                emit(.registrationFailed, address: slot.trunk.peer.ipAddress, rule: "trunk-registration",
                     detail: "\(name): \(reason); retrying in \(retryIn.nanoseconds / 1_000_000_000) s", severity: .warning)
            case .unregistered(let failure):
                if let failure {
                    logger.warning("unregistration failed", metadata: ["trunk": "\(name)", "reason": "\(failure)"])
                } else {
                    logger.info("unregistered", metadata: ["trunk": "\(name)"])
                }
            }
        }
    }

    /// Sends one REGISTER in a new client transaction; the previous one, if still waiting, is dropped.
    func sendRegister(_ request: TrunkRegistration.Request, for slot: RegistrationSlot) {
        if let previous = slot.client, previous.state == .calling || previous.state == .proceeding { terminate(previous) }
        let branch = newBranch()
        var headers: [(SIPHeaderName, String)] = [
            (.via, via(for: slot.listener, transport: slot.trunk.peer.transport, branch: branch)),
            (.maxForwards, "70"),
            (.from, "\(slot.addressOfRecord);tag=\(slot.fromTag)"),
            (.to, slot.addressOfRecord),
            (.callID, slot.callID),
            (.cseq, "\(request.cseq) REGISTER"),
            (.contact, "<\(slot.contact)>"),
            (.expires, String(request.expires)),
        ]
        if let credentials = request.credentials { headers.append((credentials.header, credentials.value.description)) }
        let message = SIPMessage(method: .register, uri: slot.machine.requestURI, headers: headers)
        let target = ForwardTarget(peer: slot.trunk.peer, zone: .external, trunk: slot.trunk.name)
        let client = ClientTransaction(key: ClientTransactionKey(branch: branch, method: .register), target: target,
                                       listener: slot.listener?.id, request: message, timers: transactionTimers, owner: .registration(slot.trunk.name))
        slot.client = client
        start(client)
    }
}
