import Foundation
import Logging
import NIOCore
import TollgateConfig
import TollgateModel
import TollgateStore

/// The limits every node holds together, as a call hook: before an outbound call to a trunk
/// begins, it is admitted against its account's critical levels of calls at once, per minute and
/// per day, and those of all accounts, by the shared store (one atomic statement a counter, so the
/// N+1th call of a limit of N is refused whichever nodes the calls came through); the call is
/// released when it ends, however it ends.
///
/// While the database cannot be reached, `cluster.on_database_loss` decides: `fail-open` admits a
/// call against this node's share of each limit (the limit divided by the nodes that were live),
/// counted here; `fail-closed` refuses it with 503. Confined to the gateway's event loop.
public final class SharedLimitsCallHook: CallHook, @unchecked Sendable {
    public let name = "shared-limits"

    /// What the store said of a call before it began.
    private enum Admission {
        case admitted
        case refused(SharedCallRefusal)
        case unreachable(String)
    }

    private struct Held {
        var account: String
        var time: Date
        /// Counted in the store (released there), or only here (while the database was away).
        var inStore: Bool
    }

    private let store: any Store
    private let control: FraudControl
    private let membership: ClusterMembership
    private let events: GatewayEventEmitter
    private let loop: EventLoop
    private let logger: Logger
    /// Admissions answered and not yet begun.
    private var answered: [CallKey: (admission: Admission, account: String, limits: SharedCallLimits, at: Date)] = [:]
    /// Calls admitted, until they end.
    private var held: [CallKey: Held] = [:]
    /// This node's calls admitted while the database was away: starts per account, for its share.
    private var localStarts: [String: [Date]] = [:]

    public init(store: any Store, control: FraudControl, membership: ClusterMembership, events: GatewayEventEmitter, loop: EventLoop,
                logger: Logger) {
        self.store = store
        self.control = control
        self.membership = membership
        self.events = events
        self.loop = loop
        self.logger = logger
    }

    public func prepare(_ call: CallStart) -> EventLoopFuture<Void>? {
        guard call.towardsTrunk, control.enforcing else { return nil }
        let account = control.account(of: call.request)
        let (limits, global, dayStart) = control.sharedCallLimits(account: account, at: call.time)
        guard !limits.isEmpty || !global.isEmpty else { return nil }
        let key = call.key
        guard membership.databaseReachable else {
            answered[key] = (.unreachable("the database did not answer the last heartbeat"), account, limits, call.time)
            return nil
        }
        let admission = SharedCallAdmission(callID: key.callID, account: account, node: membership.nodeName, time: call.time,
                                            dayStart: dayStart, limits: limits, global: global)
        let (store, timeout, membership) = (self.store, membership.settings.admissionTimeout, self.membership)
        let promise = loop.makePromise(of: Admission.self)
        promise.completeWithTask {
            do {
                return try await withStoreDeadline(.seconds(fraction: timeout)) {
                    switch try await store.admitCall(admission) {
                    case .admitted: .admitted
                    case .refused(let refusal): .refused(refusal)
                    }
                }
            } catch {
                // The calls after this one do not wait for it too: the next heartbeat that gets an answer says when it is back.
                membership.lostDatabase()
                // The admission may still be written after its deadline (a slow or restarting
                // server): a release is owed for it, so that no count is left behind.
                membership.owe(release: key.callID)
                return .unreachable("\(error)")
            }
        }
        return promise.futureResult.map { [self] outcome in
            answered[key] = (outcome, account, limits, call.time)
        }
    }

    public func callBegins(_ call: inout CallStart, record: inout CallDetailRecord) -> CallHookVerdict {
        guard let (admission, account, limits, time) = answered.removeValue(forKey: call.key) else { return .proceed }
        switch admission {
        case .admitted:
            held[call.key] = Held(account: account, time: time, inStore: true)
            return .proceed
        case .refused(let refusal):
            let rule = Self.rule(refusal.limit)
            record.rule = rule
            let whose = refusal.account.map { "account \($0)" } ?? "all accounts together"
            let detail = "\(whose) reached the limit of \(refusal.value) \(refusal.what) shared by every node; the call to \(record.to) was refused"
            events.emit(.fraud, address: call.source, rule: rule, detail: detail, severity: .critical)
            return .refuse(status: control.engine.config.onCritical.status, reason: detail)
        case .unreachable(let why):
            return whileDatabaseAway(call, account: account, limits: limits, why: why, record: &record)
        }
    }

    /// A call while the shared counters cannot be reached: refused (`fail-closed`), or admitted
    /// against this node's share of the account's limits (`fail-open`).
    private func whileDatabaseAway(_ call: CallStart, account: String, limits: SharedCallLimits, why: String,
                                   record: inout CallDetailRecord) -> CallHookVerdict {
        logger.warning("the shared call counters cannot be reached", metadata: ["account": "\(account)", "error": "\(why)"])
        if membership.settings.onDatabaseLoss == .failClosed {
            let detail = "the call of account \(account) to \(record.to) was refused: the shared call counters cannot be reached (cluster.on_database_loss: fail-closed)"
            record.rule = "database-lost"
            events.emit(.fraud, address: call.source, rule: "database-lost", detail: detail, severity: .critical)
            return .refuse(status: 503, reason: detail)
        }
        let now = call.time
        var starts = (localStarts[account] ?? []).filter { now.timeIntervalSince($0) < 86_400 }
        let active = held.values.filter { $0.account == account && !$0.inStore }.count
        let lastMinute = starts.filter { now.timeIntervalSince($0) < 60 }.count
        let shareOf = membership.share(of:)
        var met: (SharedCallRefusal.Limit, Int)?
        if let limit = limits.concurrent, active >= shareOf(limit) { met = (.concurrent, shareOf(limit)) }
        else if let limit = limits.perMinute, lastMinute >= shareOf(limit) { met = (.perMinute, shareOf(limit)) }
        else if let limit = limits.perDay, starts.count >= shareOf(limit) { met = (.perDay, shareOf(limit)) }
        if let (limit, value) = met {
            let refusal = SharedCallRefusal(account: account, limit: limit, value: value)
            let rule = Self.rule(limit)
            record.rule = rule
            let detail = "account \(account) reached this node's share (\(value) of \(membership.liveNodes) nodes) of its limit of \(refusal.what) "
                + "while the shared counters cannot be reached; the call to \(record.to) was refused"
            events.emit(.fraud, address: call.source, rule: rule, detail: detail, severity: .critical)
            return .refuse(status: control.engine.config.onCritical.status, reason: detail)
        }
        starts.append(now)
        localStarts[account] = starts
        held[call.key] = Held(account: account, time: now, inStore: false)
        return .proceed
    }

    public func callEnds(_ end: CallEnd, record: inout CallDetailRecord) -> EventLoopFuture<Void>? {
        answered[end.key] = nil
        guard held.removeValue(forKey: end.key) != nil else { return nil }
        // A call counted only here may still have been written to the store (an admission that
        // reached the server after its deadline): its release costs nothing if it was not.
        release(end.key.callID)
        return nil
    }

    public func housekeeping(at time: Date) {
        // Admissions whose call never began (its INVITE went no further) must not hold a count.
        for (key, entry) in answered where time.timeIntervalSince(entry.at) > 32 {
            answered[key] = nil
            if case .admitted = entry.admission { release(key.callID) }
        }
        for (account, starts) in localStarts {
            let kept = starts.filter { time.timeIntervalSince($0) < 86_400 }
            localStarts[account] = kept.isEmpty ? nil : kept
        }
    }

    /// Releases a call in the store without holding up its end; a release that fails is owed, and
    /// the heartbeat writes it when the database answers again.
    private func release(_ callID: String) {
        let (store, membership) = (self.store, self.membership)
        Task {
            do {
                _ = try await store.releaseCall(callID: callID)
            } catch {
                membership.owe(release: callID)
            }
        }
    }

    /// The fraud rule a shared limit is reported as.
    static func rule(_ limit: SharedCallRefusal.Limit) -> String {
        switch limit {
        case .concurrent: "concurrent-calls"
        case .perMinute: "calls-per-minute"
        case .perDay: "calls-per-day"
        }
    }
}
