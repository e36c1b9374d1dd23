import Foundation
import NIOCore
import SIPCore
import TollgateFraud
import TollgateModel

/// The fraud policy as a call hook: each call from the PBX to a trunk goes through the class of
/// service and the thresholds as it begins (and is refused with the policy's status when it must
/// be), is counted when answered and when it ends, and every call's record gets its account,
/// destination class and the rule that flagged it. Alarms and suspensions are reported as events.
public final class FraudCallHook: CallHook, @unchecked Sendable {
    public let name = "fraud"
    /// The engine and how accounts are read.
    public let control: FraudControl
    private let events: GatewayEventEmitter
    /// The calls the engine counted (it must then see their answer and end).
    private var counted: Set<CallKey> = []

    public init(control: FraudControl, events: GatewayEventEmitter) {
        self.control = control
        self.events = events
    }

    public func callBegins(_ call: inout CallStart, record: inout CallDetailRecord) -> CallHookVerdict {
        let outbound = call.zone == .internal
        if outbound { record.account = control.account(of: call.request) }
        record.destinationClass = control.classify(record.to)?.rawValue
        guard call.towardsTrunk, control.enforcing else { return .proceed }
        let account = record.account
        let before = control.engine.suspensions[account]
        let decision = control.begin(CallAttempt(callID: call.key.callID, account: account, dialled: record.to, source: call.source,
                                                 time: call.time))
        report(decision.alarms, source: call.source, at: call.time)
        if let rule = (decision.critical ?? decision.alarms.first)?.rule { record.rule = rule.rawValue }
        if before == nil, let suspension = control.engine.suspensions[account] { suspended(suspension, source: call.source) }
        if let status = decision.rejectStatus {
            return .refuse(status: status, reason: decision.critical?.detail ?? "refused by the fraud policy")
        }
        // Against the account's own normal: reported, and with `anomalies.action: block` a
        // critical anomaly is held (refused) for an operator to look at.
        var anomalies = control.anomalies(CallAttempt(callID: call.key.callID, account: account, dialled: record.to, source: call.source,
                                                      time: call.time))
        let held = control.anomaliesBlock ? anomalies.firstIndex { $0.severity == .critical } : nil
        if let held, anomalies[held].rule == .firstDestination {
            // Held for an operator: the event says how to let such calls through.
            let destinations = control.destinationKeys(record.to).joined(separator: " ")
            anomalies[held].detail += "; held: `tollgate account allow \(account) \(destinations)` lets such calls through"
        }
        report(anomalies, source: call.source, at: call.time)
        if record.rule == nil, let first = anomalies.first { record.rule = first.rule.rawValue }
        if let held {
            record.rule = anomalies[held].rule.rawValue
            return .refuse(status: control.engine.config.onCritical.status, reason: anomalies[held].detail)
        }
        if decision.allowed { counted.insert(call.key) }
        return .proceed
    }

    public func callAnswered(_ call: CallKey, at time: Date) {
        if counted.contains(call) { control.answer(callID: call.callID, at: time) }
    }

    public func callEnds(_ end: CallEnd, record: inout CallDetailRecord) -> EventLoopFuture<Void>? {
        counted.remove(end.key)
        guard record.direction == .outbound else { return nil }
        let before = control.engine.suspensions[record.account]
        let alarms = control.end(callID: record.callID, account: record.account, at: record.end)
        control.learnEnd(record)
        report(alarms, source: end.source, at: record.end)
        if before == nil, let suspension = control.engine.suspensions[record.account] { suspended(suspension, source: end.source) }
        return nil
    }

    public func housekeeping(at time: Date) {
        control.expire(at: time)
    }

    private func report(_ alarms: [FraudAlarm], source: String, at time: Date) {
        for alarm in alarms where control.shouldReport(alarm, at: time) {
            events.emit(.fraud, address: source, rule: alarm.rule.rawValue, detail: alarm.detail,
                        severity: alarm.severity == .critical ? .critical : .warning)
        }
    }

    private func suspended(_ suspension: AccountSuspension, source: String) {
        events.emit(.accountSuspended, address: source, rule: suspension.rule,
                    detail: "account \(suspension.account) suspended until an operator resumes it: \(suspension.reason)", severity: .critical)
        events.publish(.suspension(suspension))
    }
}
