import NIOCore
import SIPCore
import SIPTransport

extension SIPProxy {
    /// Ends a call the gateway decided to end (its media died, say): a BYE to each side of every
    /// confirmed dialog with this Call-ID (the one the inside uses), each in its own client
    /// transaction (retransmitted over UDP, its answer absorbed), and the call's record closed as hung
    /// up by the gateway with `rule`. The BYE carries an RFC 3326 Reason (Q.850 `cause`, `text`).
    ///
    /// A dialog that is not confirmed yet is left alone (its INVITE's transaction ends it). Returns
    /// how many dialogs were ended.
    @discardableResult
    public func hangUp(callID: String, rule: String, cause: Int = 102, text: String) -> Int {
        guard let list = dialogs.dialogs[callID] else { return 0 }
        let reason = "Q.850;cause=\(cause);text=\"\(text.replacingOccurrences(of: "\"", with: "'"))\""
        var ended = 0
        for dialog in list where dialog.state == .confirmed {
            guard let legs = dialog.legs else {
                logger.warning("a call to end has no dialog state to end it with", metadata: ["call-id": "\(callID)"])
                continue
            }
            sendBye(legs.caller, zone: dialog.callerZone, trunk: dialog.callerZone == .external ? dialog.trunk : nil, reason: reason)
            sendBye(legs.callee, zone: dialog.calleeZone, trunk: dialog.calleeZone == .external ? dialog.trunk : nil, reason: reason)
            _ = callEnded(CallKey(callID: callID, callerTag: dialog.callerTag), reason: .ended(rule: rule), cause: nil, hangup: .gateway)
            dialogs.end(callID: callID, callerTag: dialog.callerTag, at: .now())
            metrics.callHungUpByGateway(rule: rule)
            logger.info("call ended by the gateway", metadata: ["call-id": "\(callID)", "rule": "\(rule)"])
            ended += 1
        }
        if ended > 0, dialogs.dialogs[callID] == nil { callIDs.remove(internal: callID) }
        return ended
    }

    private func sendBye(_ leg: DialogLeg, zone: GatewayZone, trunk: String?, reason: String) {
        let branch = newBranch()
        let listener = leg.listener.flatMap { listenerSpec($0) } ?? self.listener(towards: zone, transport: leg.peer.transport)
        let bye = outgoing(leg.bye(via: via(for: listener, transport: leg.peer.transport, branch: branch), reason: reason), to: zone)
        let client = ClientTransaction(key: ClientTransactionKey(branch: branch, method: .bye),
                                       target: ForwardTarget(peer: leg.peer, zone: zone, trunk: trunk), listener: listener?.id,
                                       request: bye, timers: transactionTimers, owner: .hangup)
        start(client)
    }
}
