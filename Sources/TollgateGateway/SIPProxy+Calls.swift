import Foundation
import NIOCore
import SIPCore
import SIPTransport
import TollgateFraud
import TollgateModel

extension SIPProxy {
    var wallClock: Date { Date(timeIntervalSince1970: clock()) }

    // MARK: - The start of a call

    /// A new INVITE was admitted: its CDR starts, and a call from the PBX to a trunk goes through
    /// the fraud policy. Returns `false` when the policy refused it (the refusal is sent).
    func callBegins(_ server: ServerTransaction, from: SIPNameAddress) -> Bool {
        let request = server.request
        let callID = server.dialog.callID
        guard let callerTag = from.tag else { return true }
        let key = CallKey(callID: callID, callerTag: callerTag)
        guard !calls.contains(key) else { return true }
        let now = wallClock
        let uri = try? SIPURI(parsing: request.requestURIText ?? "")
        let dialled = uri?.unescapedUser ?? ""
        let fromUser = from.uri.unescapedUser ?? ""
        let outbound = server.zone == .internal
        let toTrunk = outbound && remotePhoneTarget(for: request) == nil
        let account = outbound ? (fraud?.account(of: request) ?? fromUser) : (server.trunk ?? fromUser)
        let record = CallDetailRecord(
            callID: callID, direction: outbound ? .outbound : .inbound, from: fromUser, to: dialled,
            destinationClass: fraud?.classify(dialled)?.rawValue, account: account, source: server.source.ipAddress,
            trunk: outbound ? nil : server.trunk, start: now, end: now, disposition: .failed
        )
        server.call = key
        calls.begin(key, record)

        guard toTrunk, let fraud, fraud.enforcing else { return true }
        let before = fraud.engine.suspensions[account]
        let decision = fraud.begin(CallAttempt(callID: callID, account: account, dialled: dialled, source: server.source.ipAddress, time: now))
        server.fraudCounted = decision.allowed
        report(decision.alarms, source: server.source.ipAddress, at: now)
        if let rule = (decision.critical ?? decision.alarms.first)?.rule { calls.flag(key, rule: rule.rawValue) }
        if before == nil, let suspension = fraud.engine.suspensions[account] { accountSuspended(suspension, source: server.source.ipAddress) }
        guard let status = decision.rejectStatus else { return true }
        server.fraudRejected = true
        respond(server, status: status)
        return false
    }

    // MARK: - Answer and end

    /// The first 2xx to an admitted INVITE is on its way to the caller.
    func callAnswered(_ server: ServerTransaction, trunk: String?) {
        guard let key = server.call else { return }
        let now = wallClock
        calls.answer(key, at: now, trunk: trunk)
        if server.fraudCounted { fraud?.answer(callID: key.callID, at: now) }
    }

    /// A final failure to an admitted INVITE is on its way to the caller: the call is over.
    /// Returns what the failure's sending waits for (its CDR being stored), if anything.
    func callFailed(_ server: ServerTransaction, status: Int) -> EventLoopFuture<Void>? {
        guard let key = server.call else { return nil }
        let hangup: CallDetailRecord.HangupSide = server.fraudRejected ? .gateway : server.cancelled ? .caller : .callee
        let disposition: CallDetailRecord.Disposition? = server.fraudRejected ? .rejected : server.cancelled ? .noAnswer : nil
        guard let record = calls.end(key, at: wallClock, cause: status, disposition: disposition, hangup: hangup,
                                     trunk: server.client?.target.trunk)
        else { return nil }
        return callEnded(record, source: server.source.ipAddress)
    }

    /// A BYE (Call-ID and tags given) was answered: the call it belongs to is over. Call before
    /// the dialog is ended.
    func callHungUp(_ bye: DialogID) -> EventLoopFuture<Void>? {
        guard let (dialog, fromCaller) = dialogs.find(callID: bye.callID, fromTag: bye.fromTag, toTag: bye.toTag) else {
            logger.debug("BYE for no known dialog", metadata: ["call-id": "\(bye.callID)"])
            return nil
        }
        guard let record = calls.end(CallKey(callID: dialog.callID, callerTag: dialog.callerTag), at: wallClock, cause: nil,
                                     hangup: fromCaller ? .caller : .callee)
        else {
            logger.debug("BYE for no recorded call", metadata: ["call-id": "\(dialog.callID)", "tag": "\(dialog.callerTag)"])
            return nil
        }
        return callEnded(record, source: dialog.caller.ipAddress)
    }

    /// Dialogs the gateway gave up on (never confirmed, or idle too long), and calls whose INVITE
    /// never got a final answer, end as hung up by the gateway.
    func callsExpired(_ ended: [DialogInfo]) {
        let now = wallClock
        for dialog in ended {
            if let record = calls.end(CallKey(callID: dialog.callID, callerTag: dialog.callerTag), at: now, cause: 408, hangup: .gateway) {
                _ = callEnded(record, source: dialog.caller.ipAddress)
            }
        }
        let limit = now.addingTimeInterval(-(fraud?.engine.config.maxCallDuration ?? 14_400))
        for key in calls.started(before: limit) {
            if let record = calls.end(key, at: now, cause: 408, hangup: .gateway) { _ = callEnded(record, source: record.source) }
        }
        fraud?.expire(at: now)
    }

    /// Ends every call in progress as hung up by the gateway (at shutdown).
    public func endCallsInProgress() {
        let now = wallClock
        for key in calls.started(before: .distantFuture) {
            if let record = calls.end(key, at: now, cause: nil, hangup: .gateway) { _ = callEnded(record, source: record.source) }
        }
    }

    /// Counts the end with the fraud engine, reports what that raised, and hands the record to
    /// the store.
    private func callEnded(_ record: CallDetailRecord, source: String) -> EventLoopFuture<Void>? {
        metrics.callEnded(record.disposition)
        logger.debug("call ended", metadata: [
            "call-id": "\(record.callID)", "account": "\(record.account)", "disposition": "\(record.disposition.rawValue)",
            "cause": "\(record.cause.map(String.init) ?? "-")",
        ])
        if let fraud, record.direction == .outbound {
            let before = fraud.engine.suspensions[record.account]
            let alarms = fraud.end(callID: record.callID, account: record.account, at: record.end)
            report(alarms, source: source, at: record.end)
            if before == nil, let suspension = fraud.engine.suspensions[record.account] { accountSuspended(suspension, source: source) }
        }
        return onCallEnded?(record)
    }

    // MARK: - Events

    private func report(_ alarms: [FraudAlarm], source: String, at time: Date) {
        guard let fraud else { return }
        for alarm in alarms where fraud.shouldReport(alarm, at: time) {
            emit(.fraud, address: source, rule: alarm.rule.rawValue, detail: alarm.detail,
                 severity: alarm.severity == .critical ? .critical : .warning)
        }
    }

    private func accountSuspended(_ suspension: AccountSuspension, source: String) {
        emit(.accountSuspended, address: source, rule: suspension.rule,
             detail: "account \(suspension.account) suspended until an operator resumes it: \(suspension.reason)", severity: .critical)
        onSuspension?(suspension)
    }

    /// Sends a final answer once `durable` (its call's CDR being stored) completes, or at once.
    /// A store that does not answer within two seconds does not hold the caller any longer.
    func sendFinal(_ bytes: [UInt8], for server: ServerTransaction, after durable: EventLoopFuture<Void>?) {
        guard let durable else {
            sendBytes(bytes, to: server.source, from: server.listener)
            return
        }
        server.holdingFinal = true
        let send = { [weak self, weak server] in
            guard let self, let server, server.holdingFinal else { return }
            server.holdingFinal = false
            self.sendBytes(bytes, to: server.source, from: server.listener)
        }
        let fallback = timers.schedule(after: .seconds(2)) { send() }
        durable.hop(to: eventLoop).assumeIsolated().whenComplete { _ in
            fallback.cancel()
            send()
        }
    }
}
