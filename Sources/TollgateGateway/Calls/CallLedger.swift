import Foundation
import TollgateFraud
import TollgateModel

/// Identifies a call by its INVITE dialog's Call-ID and the caller's tag, as the proxy sees them
/// (the Call-ID the inside uses, when topology hiding gives the outside another).
public struct CallKey: Hashable, Sendable {
    public var callID: String
    public var callerTag: String

    public init(callID: String, callerTag: String) {
        self.callID = callID
        self.callerTag = callerTag
    }
}

/// The calls in progress, from their INVITE to their end, so that each becomes one CDR.
/// Confined to the gateway's event loop.
///
/// A call's record is started when its INVITE is admitted, completed by its answer and ended by
/// the first of: a final failure, a BYE's answer, or expiry. An end for a call already ended (or
/// never started) yields nothing, so no call is recorded twice.
final class CallLedger {
    private var calls: [CallKey: CallDetailRecord] = [:]

    var count: Int { calls.count }

    /// Starts a call's record; a second start for the same key is ignored.
    func begin(_ key: CallKey, _ record: CallDetailRecord) {
        if calls[key] == nil { calls[key] = record }
    }

    func contains(_ key: CallKey) -> Bool { calls[key] != nil }

    /// Names the rule that refused the call, unless one is named already.
    func refused(_ key: CallKey, by rule: String) {
        guard var record = calls[key], record.rule == nil else { return }
        record.rule = rule
        calls[key] = record
    }

    /// Notes the answer (the first 2xx) and the trunk that answered.
    func answer(_ key: CallKey, at time: Date, trunk: String?) {
        guard var record = calls[key], record.answer == nil else { return }
        record.answer = time
        if let trunk { record.trunk = trunk }
        calls[key] = record
    }

    /// Ends a call and returns its finished record, or `nil` if it was not in progress.
    func end(_ key: CallKey, at time: Date, cause: Int?, disposition: CallDetailRecord.Disposition? = nil,
             hangup: CallDetailRecord.HangupSide?, trunk: String? = nil) -> CallDetailRecord? {
        guard var record = calls.removeValue(forKey: key) else { return nil }
        record.end = max(time, record.answer ?? record.start)
        if record.answer != nil {
            record.cause = record.cause ?? 200
            record.disposition = .answered
        } else {
            record.cause = cause
            record.disposition = disposition ?? cause.map(CallDetailRecord.disposition(forStatus:)) ?? .failed
        }
        record.hangup = hangup
        if let trunk, record.trunk == nil { record.trunk = trunk }
        return record
    }

    /// The keys of calls that started before `limit` (their end was never seen).
    func started(before limit: Date) -> [CallKey] {
        calls.filter { $0.value.start < limit }.map(\.key)
    }
}
