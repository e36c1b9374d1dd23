import Foundation
import SIPCore
import TollgateConfig
import TollgateFraud
import TollgateModel

/// The gateway's side of fraud control: the engine, how the calling account is read from the
/// PBX's INVITEs, and which repeated warnings are worth another event. Confined to the event loop.
public final class FraudControl: @unchecked Sendable {
    /// The rules and counters.
    public private(set) var engine: FraudEngine
    /// Whether outbound calls are checked (CDRs are written either way).
    public private(set) var enforcing: Bool
    private var identityHeaders: [SIPHeaderName]
    /// When each (account, rule) last raised a warning event.
    private var lastWarning: [String: Date] = [:]
    /// Accounts whose counters changed since ``takeChangedSnapshots(at:)``.
    private var changed: Set<String> = []
    /// Accounts suspended here whose suspension the store has not confirmed yet; a sync must
    /// not take those for resumed.
    private var unconfirmed: Set<String> = []

    /// Each account's normal and the anomalies against it; nil when `fraud.anomalies` is off.
    public private(set) var detector: BaselineDetector?
    /// Whether a critical anomaly refuses the call.
    private(set) var anomaliesBlock = false
    /// Whether the detector has learned no history yet (just made, at start-up or by a reload
    /// that turned `fraud.anomalies` on): the store's CDRs are to be read into it.
    public private(set) var needsHistory = false
    /// How many days of history the detector learns.
    public private(set) var historyDays = 60
    /// Whether the account thresholds are the documented defaults (none written by the operator).
    private(set) var thresholdsAreDefaults = false

    /// How long a repeated warning for one account and rule is held back.
    static let warningInterval: TimeInterval = 60

    public init(config: FraudConfig, classifier: NumberClassifier) throws(FraudConfigError) {
        engine = try FraudEngine(config: config, classifier: classifier, enforcing: true)
        enforcing = config.enabled
        identityHeaders = config.identityHeaders.map { SIPHeaderName($0) }
        configureAnomalies(config, home: classifier.plan.countryCode)
    }

    /// New rules after a reload; the counters, calls in progress, suspensions and baselines stay.
    public func replace(config: FraudConfig, classifier: NumberClassifier) throws(FraudConfigError) {
        try engine.replaceConfig(config, classifier: classifier)
        enforcing = config.enabled
        identityHeaders = config.identityHeaders.map { SIPHeaderName($0) }
        configureAnomalies(config, home: classifier.plan.countryCode)
    }

    private func configureAnomalies(_ config: FraudConfig, home: String) {
        anomaliesBlock = config.anomalies.action == .block
        historyDays = config.anomalies.historyDays
        thresholdsAreDefaults = config.thresholds == .accountDefaults && config.groups.allSatisfy { $0.thresholds == nil }
        guard config.anomalies.enabled else {
            detector = nil
            needsHistory = false
            return
        }
        if detector == nil || detector?.home != home {
            detector = BaselineDetector(home: home, timeZone: TimeZone(identifier: config.afterHours.timeZone) ?? TimeZone(identifier: "UTC")!)
            needsHistory = true
        }
        detector?.holdsUntilAllowed = anomaliesBlock
    }

    /// Learns each account's normal from stored CDRs (outbound, oldest first; refused calls are not
    /// the account's doing).
    public func learn(history records: [CallDetailRecord]) {
        guard let fresh = detector else { return }
        if needsHistory {
            // Started over, so the history comes before anything seen since (time order).
            var started = BaselineDetector(settings: fresh.settings, home: fresh.home, timeZone: fresh.timeZone)
            started.holdsUntilAllowed = fresh.holdsUntilAllowed
            detector = started
        }
        needsHistory = false
        for record in records.sorted(by: { $0.start < $1.start }) where record.direction == .outbound && record.disposition != .rejected {
            let classification = engine.classify(record.to)
            _ = detector?.observe(callID: record.callID, account: record.account, dialled: record.to, at: record.start,
                                  classification: classification)
            detector?.ended(account: record.account, at: record.end, billableSeconds: record.billableSeconds,
                            answeredDestination: record.answer == nil ? nil : classification?.e164)
        }
    }

    /// Operators' allowances as the store has them: each destination is no longer new to its
    /// account; a withdrawn one counts again.
    public func setAllowances(_ allowances: [(account: String, destination: String)]) {
        detector?.setAllowances(allowances)
    }

    /// What an allowance for a call to `dialled` names: its country (`+371`) when abroad, and its
    /// class when premium-rate or high-risk.
    func destinationKeys(_ dialled: String) -> [String] {
        guard let classification = engine.classify(dialled) else { return [] }
        var keys: [String] = []
        if let country = classification.countryCode, country != engine.classifier.plan.countryCode { keys.append("+\(country)") }
        if classification.numberClass == .premium || classification.numberClass == .highRisk { keys.append(classification.numberClass.rawValue) }
        return keys
    }

    /// The anomalies a call that begins is part of (and learns it otherwise).
    func anomalies(_ attempt: CallAttempt) -> [FraudAlarm] {
        detector?.observe(callID: attempt.callID, account: attempt.account, dialled: attempt.dialled, at: attempt.time,
                          classification: engine.classify(attempt.dialled)) ?? []
    }

    /// Learns how long a call lasted (and, answered, where it went: the account's runs of short calls).
    func learnEnd(_ record: CallDetailRecord) {
        guard detector != nil else { return }
        let destination = record.answer == nil ? nil : engine.classify(record.to)?.e164
        detector?.ended(account: record.account, at: record.end, billableSeconds: record.billableSeconds, answeredDestination: destination)
    }

    /// The account an INVITE from the PBX is placed by: the user part of the first identity
    /// header that has one, else From's.
    func account(of request: SIPMessage) -> String {
        for name in identityHeaders {
            guard let value = request.firstValue(of: name) else { continue }
            if let address = try? SIPNameAddress(parsing: value), let user = address.uri.unescapedUser, !user.isEmpty { return user }
        }
        if let from = try? request.from(), let user = from.uri.unescapedUser, !user.isEmpty { return user }
        return "unknown"
    }

    /// Classifies a number for a CDR (no rule applied), through the engine's cache, so an outbound
    /// call's number is read once for its CDR and its policy check.
    /// The critical levels several nodes hold together for `account`, and when its day began.
    func sharedCallLimits(account: String, at date: Date) -> (account: SharedCallLimits, global: SharedCallLimits, dayStart: Date) {
        engine.sharedCallLimits(account: account, at: date)
    }

    func classify(_ dialled: String) -> NumberClass? {
        engine.classify(dialled)?.numberClass
    }

    func begin(_ attempt: CallAttempt) -> FraudDecision {
        changed.insert(attempt.account)
        let decision = engine.begin(attempt)
        if decision.suspendedAccount { unconfirmed.insert(attempt.account) }
        return decision
    }

    /// The store has the account's suspension.
    public func suspensionStored(_ account: String) {
        unconfirmed.remove(account)
    }

    func answer(callID: String, at time: Date) { engine.answer(callID: callID, at: time) }

    func end(callID: String, account: String, at time: Date) -> [FraudAlarm] {
        changed.insert(account)
        let suspendedBefore = engine.suspensions[account] != nil
        let alarms = engine.end(callID: callID, at: time)
        if !suspendedBefore, engine.suspensions[account] != nil { unconfirmed.insert(account) }
        return alarms
    }

    /// Whether an alarm should become an event: criticals always; a warning once a minute per
    /// account and rule, and, where the thresholds are the documented defaults, only above the
    /// account's own normal.
    func shouldReport(_ alarm: FraudAlarm, at time: Date) -> Bool {
        guard alarm.severity == .warning else { return true }
        if thresholdsAreDefaults, detector?.isWithinNormal(alarm, at: time) == true { return false }
        let key = "\(alarm.scope.rawValue)|\(alarm.account)|\(alarm.rule.rawValue)"
        if let last = lastWarning[key], time.timeIntervalSince(last) < Self.warningInterval { return false }
        if lastWarning.count > 10_000 { lastWarning = lastWarning.filter { time.timeIntervalSince($0.value) < Self.warningInterval } }
        lastWarning[key] = time
        return true
    }

    /// Counts the calls of the last day again (from the store, at start-up).
    public func restore(_ records: [CallDetailRecord]) {
        engine.restore(records)
        for record in records where record.direction == .outbound { changed.insert(record.account) }
    }

    /// Ends calls that never ended and forgets idle accounts.
    func expire(at time: Date) { engine.expire(at: time) }

    /// Snapshots of the accounts whose counters changed since the last call.
    public func takeChangedSnapshots(at time: Date) -> [AccountSnapshot] {
        defer { changed.removeAll(keepingCapacity: true) }
        return changed.map { engine.snapshot(account: $0, at: time) }
    }

    /// Brings suspensions in line with the store's (an operator resumed or suspended an account)
    /// and applies counter resets requested after `resetsAfter`.
    public func sync(suspensions: [AccountSuspension], resets: [String: Date], resetsAfter: Date) {
        let stored = Dictionary(suspensions.map { ($0.account, $0) }, uniquingKeysWith: { first, _ in first })
        for account in engine.suspensions.keys where stored[account] == nil && !unconfirmed.contains(account) {
            engine.resume(account: account)
        }
        for (account, suspension) in stored where engine.suspensions[account] == nil { engine.suspend(suspension) }
        for (account, requested) in resets where requested > resetsAfter {
            engine.resetCounters(account: account)
            changed.insert(account)
        }
    }
}
