import Foundation
import NIOCore
import SIPCore
import SIPTransport
import TollgateModel

extension SIPProxy {
    var wallClock: Date { Date(timeIntervalSince1970: clock()) }

    // MARK: - The start of a call

    /// A new INVITE was admitted: once the hooks have what they need to judge it (a certificate,
    /// within the call's time budget), the call begins and, unless refused, is routed. A CANCEL while
    /// the hooks prepare is answered with 487 and the call never begins.
    func admitCall(_ server: ServerTransaction, from: SIPNameAddress) {
        guard let callerTag = from.tag else {
            forwardInitial(server.outgoingRequest, server: server)
            return
        }
        let key = CallKey(callID: server.dialog.callID, callerTag: callerTag)
        guard !calls.isInProgress(key) else {
            forwardInitial(server.outgoingRequest, server: server)
            return
        }
        let start = CallStart(key: key, request: server.request, source: server.source.ipAddress, zone: server.zone, trunk: server.trunk,
                              towardsTrunk: server.zone == .internal && remotePhoneTarget(for: server.request) == nil, time: wallClock)
        guard let ready = calls.prepare(start) else {
            if callBegins(server, start) { forwardInitial(server.outgoingRequest, server: server) }
            return
        }
        server.preparing = true
        ready.hop(to: eventLoop).assumeIsolated().whenComplete { [weak self, weak server] _ in
            guard let self, let server else { return }
            server.preparing = false
            guard server.finalStatus == nil, !server.cancelled, self.serverTransactions[server.key] === server else { return }
            if self.callBegins(server, start) { self.forwardInitial(server.outgoingRequest, server: server) }
        }
    }

    /// The call's record starts and the call hooks are told (the fraud policy among them); what a
    /// hook changed in the INVITE is what leaves. Returns `false` when a hook refused it (the
    /// refusal is sent).
    func callBegins(_ server: ServerTransaction, _ start: CallStart) -> Bool {
        var start = start
        let request = server.request
        let key = start.key
        let now = start.time
        let from = (try? request.from()) ?? SIPNameAddress(uri: SIPURI(host: ""))
        let uri = try? SIPURI(parsing: request.requestURIText ?? "")
        let dialled = uri?.unescapedUser ?? ""
        let fromUser = from.uri.unescapedUser ?? ""
        let outbound = server.zone == .internal
        let record = CallDetailRecord(
            callID: key.callID, direction: outbound ? .outbound : .inbound, from: fromUser, to: dialled,
            account: outbound ? fromUser : (server.trunk ?? fromUser), source: server.source.ipAddress,
            trunk: outbound ? nil : server.trunk, start: now, end: now, disposition: .failed
        )
        server.call = key
        let verdict = calls.begin(&start, record: record)
        if start.requestChanged { server.forwardedRequest = start.request }
        guard case .refuse(let status, let reason, let phrase) = verdict else { return true }
        logger.debug("call refused by a hook", metadata: ["call-id": "\(key.callID)", "status": "\(status)", "reason": "\(reason)"])
        server.refused = true
        respond(server, status: status, phrase: phrase)
        return false
    }

    // MARK: - Offers and answers

    /// Lets the call hooks see (and rewrite) the SDP of a message on its way from one side to the
    /// other. A refused offer comes back as the verdict; the message is then not to be forwarded.
    @discardableResult
    func runCallHooks(on message: inout SIPMessage, from: GatewayZone, towards: GatewayZone, trunk: String?,
                      call: CallKey? = nil) -> CallHookVerdict {
        guard calls.hasHooks, !message.bodyBytes.isEmpty else { return .proceed }
        if let status = message.statusCode, status >= 300 { return .proceed }
        var sdp = CallSDP(message: message, from: from, towards: towards, trunk: trunk)
        var verdict = CallHookVerdict.proceed
        if message.isRequest, message.method != .ack {
            verdict = calls.offer(&sdp, call: call)
        } else {
            calls.answer(&sdp)
        }
        message = sdp.message
        return verdict
    }

    // MARK: - Answer and end

    /// The first 2xx to an admitted INVITE is on its way to the caller.
    func callAnswered(_ server: ServerTransaction, trunk: String?) {
        guard let key = server.call else { return }
        calls.answered(key, at: wallClock, trunk: trunk)
    }

    /// A final failure to an admitted INVITE is on its way to the caller: the call is over.
    /// Returns what the failure's sending waits for (its CDR being journaled), if anything.
    func callFailed(_ server: ServerTransaction, status: Int) -> EventLoopFuture<Void>? {
        guard let key = server.call else { return nil }
        let hangup: CallDetailRecord.HangupSide = server.refused ? .gateway : server.cancelled ? .caller : .callee
        let disposition: CallDetailRecord.Disposition? = server.refused ? .rejected : server.cancelled ? .noAnswer : nil
        let reason: CallEnd.Reason = server.refused ? .refused(status: status) : server.cancelled ? .cancelled : .failed(status: status)
        return callEnded(key, reason: reason, cause: status, disposition: disposition, hangup: hangup, trunk: server.client?.target.trunk)
    }

    /// A BYE (Call-ID and tags given) was answered: the call it belongs to is over. Call before
    /// the dialog is ended.
    func callHungUp(_ bye: DialogID) -> EventLoopFuture<Void>? {
        guard let (dialog, fromCaller) = dialogs.find(callID: bye.callID, fromTag: bye.fromTag, toTag: bye.toTag) else {
            logger.debug("BYE for no known dialog", metadata: ["call-id": "\(bye.callID)"])
            return nil
        }
        let side: CallDetailRecord.HangupSide = fromCaller ? .caller : .callee
        let key = CallKey(callID: dialog.callID, callerTag: dialog.callerTag)
        guard calls.isInProgress(key) else {
            logger.debug("BYE for no recorded call", metadata: ["call-id": "\(dialog.callID)", "tag": "\(dialog.callerTag)"])
            return nil
        }
        return callEnded(key, reason: .hungUp(side), cause: nil, hangup: side)
    }

    /// Dialogs the gateway gave up on (never confirmed, or idle too long), and calls whose INVITE
    /// never got a final answer, end as hung up by the gateway.
    func callsExpired(_ ended: [DialogInfo]) {
        let now = wallClock
        for dialog in ended {
            _ = callEnded(CallKey(callID: dialog.callID, callerTag: dialog.callerTag), reason: .expired, cause: 408, hangup: .gateway)
        }
        for key in calls.started(before: now.addingTimeInterval(-calls.longestCall)) {
            _ = callEnded(key, reason: .expired, cause: 408, hangup: .gateway)
        }
        calls.housekeeping(at: now)
    }

    /// Ends every call in progress as hung up by the gateway (at shutdown).
    public func endCallsInProgress() {
        for key in calls.started(before: .distantFuture) {
            _ = callEnded(key, reason: .shutdown, cause: nil, hangup: .gateway)
        }
    }

    /// Ends a call with the hooks (its record finished, made durable, published) and counts it.
    func callEnded(_ key: CallKey, reason: CallEnd.Reason, cause: Int?, disposition: CallDetailRecord.Disposition? = nil,
                           hangup: CallDetailRecord.HangupSide?, trunk: String? = nil) -> EventLoopFuture<Void>? {
        guard let (record, wait) = calls.end(key, reason: reason, at: wallClock, cause: cause, disposition: disposition, hangup: hangup,
                                             trunk: trunk)
        else { return nil }
        metrics.callEnded(record.disposition)
        logger.debug("call ended", metadata: [
            "call-id": "\(record.callID)", "account": "\(record.account)", "disposition": "\(record.disposition.rawValue)",
            "cause": "\(record.cause.map(String.init) ?? "-")",
        ])
        return wait
    }

    /// Sends a final answer once `durable` (its call's CDR being journaled) completes, or at once.
    /// A store that does not answer within two seconds does not hold the caller any longer.
    func sendFinal(_ bytes: [UInt8], for server: ServerTransaction, after durable: EventLoopFuture<Void>?) {
        guard let durable else {
            sendBytes(bytes, to: server.source, from: server.listener)
            return
        }
        server.machine.holdFinal()
        let send = { [weak self, weak server] in
            guard let self, let server, server.holdingFinal else { return }
            server.machine.releaseFinal()
            self.sendBytes(bytes, to: server.source, from: server.listener)
        }
        let fallback = timers.schedule(after: .seconds(2)) { send() }
        durable.hop(to: eventLoop).assumeIsolated().whenComplete { _ in
            fallback.cancel()
            send()
        }
    }
}
