import Foundation
import NIOCore
import TollgateModel

/// The calls in progress and the hooks that take part in them, for the proxy: it keeps each
/// call's record (``CallLedger``) from its INVITE to its end and tells the hooks, in order, of each
/// step. Confined to the gateway's event loop.
final class CallCoordinator {
    private(set) var hooks: [any CallHook] = []
    private let ledger = CallLedger()
    private let eventLoop: EventLoop
    /// Calls longer than this are ended by the gateway (their end was never seen).
    var longestCall: TimeInterval = 14_400

    init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Adds a hook after those already there, or before them when `first`.
    func add(_ hook: any CallHook, first: Bool = false) {
        if first { hooks.insert(hook, at: 0) } else { hooks.append(hook) }
    }

    /// Whether any hook wants to see offers and answers (the proxy skips the work otherwise).
    var hasHooks: Bool { !hooks.isEmpty }

    var callsInProgress: Int { ledger.count }

    func isInProgress(_ key: CallKey) -> Bool { ledger.contains(key) }

    /// What the hooks need before `start` can begin: nil when nothing (the call begins at once),
    /// otherwise a future that completes when every hook is ready (each bounds its own wait).
    func prepare(_ start: CallStart) -> EventLoopFuture<Void>? {
        guard !ledger.contains(start.key) else { return nil }
        let waits = hooks.compactMap { $0.prepare(start) }
        guard !waits.isEmpty else { return nil }
        return waits.count == 1 ? waits[0] : EventLoopFuture.andAllComplete(waits, on: eventLoop)
    }

    /// A call begins with `record`; the hooks fill it in, may change its INVITE and may refuse it.
    /// A call already in progress (a retransmitted or forked INVITE) is not begun twice.
    func begin(_ start: inout CallStart, record: CallDetailRecord) -> CallHookVerdict {
        guard !ledger.contains(start.key) else { return .proceed }
        var record = record
        var verdict = CallHookVerdict.proceed
        for hook in hooks {
            verdict = hook.callBegins(&start, record: &record)
            if case .refuse = verdict {
                if record.rule == nil { record.rule = hook.name }
                break
            }
        }
        ledger.begin(start.key, record)
        return verdict
    }

    /// Runs the hooks on an offer; the first refusal stops it (hooks after the refusing one are not
    /// asked), and names the refusing hook as the rule of `call`'s record.
    func offer(_ offer: inout CallSDP, call: CallKey?) -> CallHookVerdict {
        for hook in hooks {
            let verdict = hook.offer(&offer)
            if case .refuse = verdict {
                if let call { ledger.refused(call, by: hook.name) }
                return verdict
            }
        }
        return .proceed
    }

    func answer(_ answer: inout CallSDP) {
        for hook in hooks { hook.answer(&answer) }
    }

    /// The first 2xx: the record notes the time and the trunk that answered.
    func answered(_ key: CallKey, at time: Date, trunk: String?) {
        guard ledger.contains(key) else { return }
        ledger.answer(key, at: time, trunk: trunk)
        for hook in hooks { hook.callAnswered(key, at: time) }
    }

    /// Ends a call: its record is finished and each hook adds to it; returns the record and what the
    /// final answer waits for (`nil`: nothing). A call not in progress yields nothing.
    func end(_ key: CallKey, reason: CallEnd.Reason, at time: Date, cause: Int?, disposition: CallDetailRecord.Disposition? = nil,
             hangup: CallDetailRecord.HangupSide?, trunk: String? = nil) -> (record: CallDetailRecord, wait: EventLoopFuture<Void>?)? {
        guard var record = ledger.end(key, at: time, cause: cause, disposition: disposition, hangup: hangup, trunk: trunk) else { return nil }
        if case .ended(let rule) = reason { record.rule = rule }
        let end = CallEnd(key: key, reason: reason, time: record.end, source: record.source)
        var wait: EventLoopFuture<Void>?
        for hook in hooks {
            guard let next = hook.callEnds(end, record: &record) else { continue }
            // Several hooks' futures: the answer waits for all of them, failed or not.
            wait = wait.map { EventLoopFuture.andAllComplete([$0, next], on: eventLoop) } ?? next
        }
        return (record, wait)
    }

    /// Calls that started before `limit` (their end was never seen).
    func started(before limit: Date) -> [CallKey] { ledger.started(before: limit) }

    func housekeeping(at time: Date) {
        for hook in hooks { hook.housekeeping(at: time) }
    }
}
