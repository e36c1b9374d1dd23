import Foundation
import TollgateConfig
import TollgateModel

/// The fraud policy: class of service, after-hours windows and call thresholds, per account and
/// for all calls together.
///
/// The engine is a value with no I/O and no clock of its own: every call passes the time in. The
/// gateway keeps one on its event loop and asks it about each outbound INVITE; `tollgate cdr
/// analyze` replays CDR files through another with `enforcing: false`.
///
/// Counting is exact and bounded. A call is counted once, when ``begin(_:)`` lets it through, and
/// uncounted once, at ``end(callID:at:)``; a second end, or an end for a call never begun, changes
/// nothing, and a call that never ends is ended by ``expire(at:)`` after `max_call_duration`.
/// Sliding windows keep at most one more time than their highest level, and idle accounts are
/// forgotten.
///
/// A level of `n` allows `n`: the call that makes the count `n + 1` trips it. A warning is an
/// alarm only; a critical level rejects the call (when enforcing) and, for an account's own
/// thresholds, suspends the account if `on_critical.suspend` is set. Class-of-service and
/// after-hours rejections never suspend: a mistyped number is not an attack. Emergency calls
/// are never blocked or counted.
public struct FraudEngine: Sendable {
    public let config: FraudConfig
    public let classifier: NumberClassifier
    /// Whether critical levels reject calls and suspend accounts (live), or are only reported
    /// while every call is counted as placed (offline replay).
    public let enforcing: Bool
    /// Set while ``restore(_:)`` counts calls that already happened: nothing is refused or suspended.
    private var restoring = false
    /// Whether decisions act (refuse, suspend) now.
    private var acting: Bool { enforcing && !restoring }
    /// The accounts suspended until an operator resumes them.
    public private(set) var suspensions: [String: AccountSuspension] = [:]

    private var clock: LocalClock
    private let serviceClasses: [String: ServiceClass]
    private let defaultProfile: AccountProfile
    private let groupProfiles: [(group: FraudConfig.AccountGroup, profile: AccountProfile)]
    private let afterHoursClasses: Set<NumberClass>
    private var accounts: [String: CallCounters] = [:]
    private var global: CallCounters
    private var active: [String: ActiveCall] = [:]
    /// Dialled numbers already classified (most calls go to numbers called before); emptied when full.
    private var classified: [String: Classification?] = [:]
    private static let classifiedLimit = 100_000

    /// The most accounts tracked at once; idle ones are forgotten first.
    public var maxAccounts = 100_000

    /// An engine for `config` (validated already by the config loader; this throws only for
    /// configurations built in code with unknown names).
    public init(config: FraudConfig, classifier: NumberClassifier, enforcing: Bool = true) throws(FraudConfigError) {
        self.config = config
        self.classifier = classifier
        self.enforcing = enforcing
        guard let zone = TimeZone(identifier: config.afterHours.timeZone) else { throw .unknownTimeZone(config.afterHours.timeZone) }
        clock = LocalClock(timeZone: zone)

        var classes: [String: ServiceClass] = [:]
        for (name, definition) in FraudConfig.ClassOfService.builtIn.merging(config.classesOfService, uniquingKeysWith: { $1 }) {
            classes[name] = try ServiceClass(name: name, definition)
        }
        serviceClasses = classes
        guard let defaultClass = classes[config.defaultClassOfService] else { throw .unknownClassOfService(config.defaultClassOfService) }
        defaultProfile = AccountProfile(group: nil, serviceClass: defaultClass, thresholds: config.thresholds)
        var groups: [(FraudConfig.AccountGroup, AccountProfile)] = []
        for group in config.groups {
            guard let serviceClass = classes[group.classOfService] else { throw .unknownClassOfService(group.classOfService) }
            groups.append((group, AccountProfile(group: group.name, serviceClass: serviceClass, thresholds: group.thresholds ?? config.thresholds)))
        }
        groupProfiles = groups
        var afterHours: Set<NumberClass> = []
        for text in config.afterHours.classes {
            guard let numberClass = NumberClass(rawValue: text) else { throw .unknownDestinationClass(text) }
            afterHours.insert(numberClass)
        }
        afterHoursClasses = afterHours.subtracting([.emergency])
        global = CallCounters(thresholds: config.global, now: .distantPast)
    }

    /// A call attempt: classifies the number and applies every rule. When the decision lets the
    /// call through (or the engine is not enforcing), the call is counted until its end.
    public mutating func begin(_ attempt: CallAttempt) -> FraudDecision {
        let classification = classify(attempt.dialled)
        var decision = FraudDecision(classification: classification)
        if active[attempt.callID] != nil || classification?.numberClass == .emergency { return decision }
        let now = attempt.time
        let account = attempt.account
        let moment = clock.moment(now)
        let profile = profile(for: account)
        var alarms: [FraudAlarm] = []
        func alarm(_ rule: FraudRule, _ severity: FraudSeverity, _ scope: FraudScope, value: Double, limit: Double, from start: Date, _ detail: String) {
            alarms.append(
                FraudAlarm(
                    rule: rule, severity: severity, scope: scope, account: account, value: value, limit: limit, windowStart: start,
                    windowEnd: now, callID: attempt.callID, detail: detail
                ))
        }

        if acting, let suspension = suspensions[account] {
            alarm(.suspended, .critical, .account, value: 0, limit: 0, from: suspension.since,
                  "account \(account) is suspended (\(suspension.rule): \(suspension.reason)); a call to \(attempt.dialled) was refused")
            return reject(decision, alarms: alarms, suspending: nil)
        }

        // Class of service.
        let destination = classification.map { Self.describe($0) } ?? "an unreadable number"
        if let classification {
            if !profile.serviceClass.allows(classification, home: classifier.plan.countryCode) {
                alarm(.classOfService, .critical, .account, value: 0, limit: 0, from: now,
                      "account \(account) (class of service \(profile.serviceClass.name)) may not call \(destination) \(attempt.dialled)")
            }
        } else if acting {
            alarm(.classOfService, .critical, .account, value: 0, limit: 0, from: now,
                  "account \(account) dialled \(attempt.dialled), which is not a number Tollgate can classify")
        }
        if acting, alarms.contains(where: { $0.severity == .critical }) { return reject(decision, alarms: alarms, suspending: nil) }

        // After-hours windows.
        if let numberClass = classification?.numberClass, afterHoursClasses.contains(numberClass), isAfterHours(moment) {
            let blocking = config.afterHours.action == .block
            alarm(.afterHours, blocking ? .critical : .warning, .account, value: 0, limit: 0, from: now,
                  "account \(account) called \(destination) \(attempt.dialled) at \(Self.clockText(moment.minute)) local time, within an after-hours window")
            if acting, blocking { return reject(decision, alarms: alarms, suspending: nil) }
        }

        // Thresholds, this call included. Both scopes' counters are moved out while they change
        // (and put back on every way out), so their windows and sets are never copied.
        var counters = accounts.removeValue(forKey: account) ?? CallCounters(thresholds: profile.thresholds, now: now)
        var all = CallCounters.placeholder
        swap(&all, &global)
        defer {
            accounts[account] = counters
            swap(&all, &global)
        }
        counters.roll(to: moment, at: now)
        all.roll(to: moment, at: now)
        let international = classification?.numberClass.isAbroadOrRisky ?? false
        let prefix = classification?.e164.map { Self.prefix(of: $0, digits: profile.thresholds.shortCalls.prefixDigits) }
        func evaluate(_ scoped: inout CallCounters, _ scope: FraudScope, _ thresholds: FraudConfig.Thresholds) {
            func check(_ rule: FraudRule, _ level: FraudConfig.Level, _ value: Double, from start: Date, _ what: String) {
                guard let (severity, limit) = Self.crossed(level, by: value) else { return }
                alarms.append(FraudAlarm(threshold: rule, severity: severity, scope: scope, account: account, value: value, limit: limit,
                                         windowStart: start, windowEnd: now, callID: attempt.callID, what: what))
            }
            check(.callsPerMinute, thresholds.callsPerMinute, Double(scoped.minute.count(at: now) + 1),
                  from: scoped.minute.oldest ?? now, "calls in 60 s")
            check(.concurrentCalls, thresholds.concurrentCalls, Double(scoped.activeCalls + 1), from: now, "calls at once")
            check(.callsPerDay, thresholds.callsPerDay, Double(scoped.callsToday + 1), from: scoped.dayStart, "calls today")
            if international {
                check(.internationalPerHour, thresholds.internationalPerHour, Double(scoped.internationalHour.count(at: now) + 1),
                      from: scoped.internationalHour.oldest ?? now, "international, premium and high-risk calls in an hour")
            }
            let minutes = scoped.minutesToday(at: now)
            if let critical = thresholds.minutesPerDay.critical, minutes > critical {
                alarms.append(FraudAlarm(threshold: .minutesPerDay, severity: .critical, scope: scope, account: account, value: minutes, limit: critical,
                                         windowStart: scoped.dayStart, windowEnd: now, callID: attempt.callID, what: "minutes today"))
            }
            if scope == .account, let prefix, scoped.shortPrefix == prefix, now.timeIntervalSince(scoped.shortLast) <= thresholds.shortCalls.window,
                let critical = thresholds.shortCalls.level.critical, Double(scoped.shortRun) > critical
            {
                alarm(.shortCalls, .critical, scope, value: Double(scoped.shortRun), limit: critical, from: scoped.shortRunStart,
                      "short-calls: after \(scoped.shortRun) short calls to +\(prefix)… account \(account) called +\(prefix)… again")
            }
            scoped.lastSeen = now
        }
        evaluate(&counters, .account, profile.thresholds)
        evaluate(&all, .global, config.global)

        let critical = alarms.first { $0.severity == .critical }
        if acting, let critical {
            let suspends = config.onCritical.suspend && critical.scope == .account && critical.rule != .afterHours
            return reject(decision, alarms: alarms, suspending: suspends ? critical : nil)
        }
        // Count the call.
        for scoped in [0, 1] {
            func count(_ scoped: inout CallCounters) {
                scoped.minute.record(now)
                if international { scoped.internationalHour.record(now) }
                scoped.callsToday += 1
                scoped.activeCalls += 1
            }
            if scoped == 0 { count(&counters) } else { count(&all) }
        }
        active[attempt.callID] = ActiveCall(account: account, start: now, answer: nil, prefix: prefix)
        if accounts.count >= maxAccounts { forgetIdleAccounts(at: now) }
        decision.alarms = alarms
        return decision
    }

    /// The call was answered.
    public mutating func answer(callID: String, at time: Date) {
        // Each table is searched once; the entries change in place.
        guard let index = active.index(forKey: callID), active.values[index].answer == nil else { return }
        active.values[index].answer = time
        let seconds = time.timeIntervalSince1970
        if let counters = accounts.index(forKey: active.values[index].account) {
            accounts.values[counters].answeredActive += 1
            accounts.values[counters].answerTimeSum += seconds
        }
        global.answeredActive += 1
        global.answerTimeSum += seconds
    }

    /// The call ended: it stops counting as in progress, its answered minutes join the day's, and
    /// the probing and minutes rules look at it. Returns the alarms it raised (a critical one
    /// suspends the account when enforcing, as the call itself is already over).
    @discardableResult
    public mutating func end(callID: String, at time: Date) -> [FraudAlarm] {
        guard let call = active.removeValue(forKey: callID) else { return [] }
        let moment = clock.moment(time)
        let billable = call.answer.map { max(0, time.timeIntervalSince($0)) } ?? 0
        func finish(_ counters: inout CallCounters) {
            counters.activeCalls -= 1
            if let answer = call.answer {
                counters.answeredActive -= 1
                counters.answerTimeSum -= answer.timeIntervalSince1970
                if counters.answeredActive == 0 { counters.answerTimeSum = 0 }
            }
            counters.roll(to: moment, at: time)
            counters.secondsToday += billable
            counters.lastSeen = time
        }
        finish(&global)
        guard let slot = accounts.index(forKey: call.account) else { return [] }
        finish(&accounts.values[slot])
        // Moved out while the rules below change it (so its windows are never copied), and put back.
        var counters = CallCounters.placeholder
        swap(&counters, &accounts.values[slot])
        defer { swap(&counters, &accounts.values[slot]) }
        let profile = profile(for: call.account)
        var alarms: [FraudAlarm] = []
        func alarm(_ rule: FraudRule, _ level: FraudConfig.Level, _ scope: FraudScope, _ value: Double, from start: Date, _ what: String) {
            guard let (severity, limit) = Self.crossed(level, by: value) else { return }
            alarms.append(FraudAlarm(threshold: rule, severity: severity, scope: scope, account: call.account, value: value, limit: limit,
                                     windowStart: start, windowEnd: time, callID: callID, what: what))
        }
        // Probing: sequential short answered calls to one destination prefix.
        if let prefix = call.prefix, call.answer != nil {
            let rule = profile.thresholds.shortCalls
            if billable < rule.maxSeconds {
                if counters.shortPrefix == prefix, time.timeIntervalSince(counters.shortLast) <= rule.window {
                    counters.shortRun += 1
                } else {
                    counters.shortRun = 1
                    counters.shortPrefix = prefix
                    counters.shortRunStart = call.start
                }
                counters.shortLast = time
                alarm(.shortCalls, rule.level, .account, Double(counters.shortRun), from: counters.shortRunStart,
                      "sequential short calls to +\(prefix)…")
            } else if counters.shortPrefix != prefix {
                counters.shortRun = 0
                counters.shortPrefix = nil
            }
        }
        if billable > 0 {
            alarm(.minutesPerDay, profile.thresholds.minutesPerDay, .account, counters.minutesToday(at: time), from: counters.dayStart,
                  "minutes today")
            alarm(.minutesPerDay, config.global.minutesPerDay, .global, global.minutesToday(at: time), from: global.dayStart, "minutes today")
        }
        if acting, config.onCritical.suspend, suspensions[call.account] == nil,
            let critical = alarms.first(where: { $0.severity == .critical && $0.scope == .account })
        {
            suspensions[call.account] = AccountSuspension(account: call.account, since: time, rule: critical.rule.rawValue, reason: critical.detail)
        }
        return alarms
    }

    /// Takes new rules (a reloaded configuration) and keeps what the old ones counted: calls in
    /// progress, each account's windows and day counters, runs of short calls and suspensions.
    /// Throws, changing nothing, when the new configuration cannot be used.
    public mutating func replaceConfig(_ config: FraudConfig, classifier: NumberClassifier) throws(FraudConfigError) {
        var fresh = try FraudEngine(config: config, classifier: classifier, enforcing: enforcing)
        fresh.maxAccounts = maxAccounts
        fresh.suspensions = suspensions
        fresh.active = active
        for (account, counters) in accounts {
            fresh.accounts[account] = counters.resized(for: fresh.profile(for: account).thresholds)
        }
        fresh.global = global.resized(for: config.global)
        self = fresh
    }

    /// Counts calls that already ended, oldest first (the gateway's CDRs of the last day, read back
    /// at start-up), so that a restart does not zero the day's counters, the windows or a run of
    /// probing calls. Inbound calls and refused calls are skipped; no call is refused and no
    /// account suspended while they are counted, and the alarms they would raise are dropped.
    public mutating func restore(_ records: [CallDetailRecord]) {
        restoring = true
        defer { restoring = false }
        // Starts, answers and ends in time order; an end goes before a start at the same moment.
        var moments: [(time: Date, order: Int, index: Int)] = []
        let calls = records.filter { $0.direction == .outbound && $0.disposition != .rejected }
        for (index, record) in calls.enumerated() {
            moments.append((record.start, 2, index))
            if let answer = record.answer { moments.append((answer, 1, index)) }
            moments.append((record.end, 0, index))
        }
        moments.sort { ($0.time, $0.order, $0.index) < ($1.time, $1.order, $1.index) }
        for moment in moments {
            let record = calls[moment.index]
            let callID = "restored \(moment.index) \(record.callID)"
            switch moment.order {
            case 2: _ = begin(CallAttempt(callID: callID, account: record.account, dialled: record.to, source: record.source, time: moment.time))
            case 1: answer(callID: callID, at: moment.time)
            default: end(callID: callID, at: moment.time)
            }
        }
    }

    /// Ends calls in progress for longer than `max_call_duration` (their end was never seen) and
    /// forgets accounts idle for two days. Returns the Call-IDs ended.
    @discardableResult
    public mutating func expire(at now: Date) -> [String] {
        let limit = now.addingTimeInterval(-config.maxCallDuration)
        let stale = active.filter { $0.value.start < limit }.map(\.key)
        for callID in stale {
            if let start = active[callID]?.start { end(callID: callID, at: start.addingTimeInterval(config.maxCallDuration)) }
        }
        let idle = now.addingTimeInterval(-2 * 86_400)
        accounts = accounts.filter { $0.value.activeCalls > 0 || $0.value.lastSeen >= idle }
        return stale
    }

    /// Calls in progress (all accounts).
    public var callsInProgress: Int { active.count }

    /// The accounts the engine holds counters for.
    public var trackedAccounts: [String] { Array(accounts.keys) }

    /// An account's counters at `now`.
    public mutating func snapshot(account: String, at now: Date) -> AccountSnapshot {
        let profile = profile(for: account)
        var counters = accounts[account] ?? CallCounters(thresholds: profile.thresholds, now: now)
        let moment = clock.moment(now)
        if moment.day != counters.day {
            counters.callsToday = 0
            counters.secondsToday = 0
        }
        let run = now.timeIntervalSince(counters.shortLast) <= profile.thresholds.shortCalls.window ? counters.shortRun : 0
        let snapshot = AccountSnapshot(
            account: account, group: profile.group, classOfService: profile.serviceClass.name,
            callsLastMinute: counters.minute.count(at: now), concurrentCalls: counters.activeCalls, callsToday: counters.callsToday,
            internationalLastHour: counters.internationalHour.count(at: now), shortCallRun: run,
            shortCallPrefix: run > 0 ? counters.shortPrefix.map { "+" + $0 } : nil, minutesToday: counters.minutesToday(at: now), time: now
        )
        if accounts[account] != nil { accounts[account] = counters }
        return snapshot
    }

    /// Zeroes an account's counters (an operator's reset); its calls in progress stay counted.
    public mutating func resetCounters(account: String) {
        accounts[account]?.reset()
    }

    /// Suspends an account (restored from the store, or by an operator).
    public mutating func suspend(_ suspension: AccountSuspension) {
        suspensions[suspension.account] = suspension
    }

    /// Lifts an account's suspension; returns whether it was suspended.
    @discardableResult
    public mutating func resume(account: String) -> Bool {
        suspensions.removeValue(forKey: account) != nil
    }

    /// The group and class of service an account falls under.
    public func classOfService(for account: String) -> (group: String?, classOfService: String) {
        let profile = profile(for: account)
        return (profile.group, profile.serviceClass.name)
    }

    // MARK: - Helpers

    /// The class of a dialled number (`nil` when it cannot be read), from a bounded cache of the
    /// numbers seen before; calls are classified through here too.
    public mutating func classify(_ dialled: String) -> Classification? {
        if let known = classified[dialled] { return known }
        let result = try? classifier.classify(dialled)
        if classified.count >= Self.classifiedLimit { classified.removeAll(keepingCapacity: true) }
        classified[dialled] = result
        return result
    }

    /// What several gateways must hold together for calls of `account`: the critical levels of
    /// calls at once, per minute and per day, of the account and of all accounts, as whole numbers
    /// of calls (``crossed(_:by:)`` refuses the call that would pass a level), and when the local
    /// day of `date` began.
    public mutating func sharedCallLimits(account: String, at date: Date) -> (account: SharedCallLimits, global: SharedCallLimits, dayStart: Date) {
        func limits(_ thresholds: FraudConfig.Thresholds) -> SharedCallLimits {
            func whole(_ level: FraudConfig.Level) -> Int? { level.critical.map { Int(max(0, $0.rounded(.down))) } }
            return SharedCallLimits(concurrent: whole(thresholds.concurrentCalls), perMinute: whole(thresholds.callsPerMinute),
                                    perDay: whole(thresholds.callsPerDay))
        }
        return (limits(profile(for: account).thresholds), limits(config.global), clock.dayStart(date))
    }

    private func profile(for account: String) -> AccountProfile {
        for entry in groupProfiles where entry.group.contains(account) { return entry.profile }
        return defaultProfile
    }

    private mutating func reject(_ decision: FraudDecision, alarms: [FraudAlarm], suspending critical: FraudAlarm?) -> FraudDecision {
        var decision = decision
        decision.alarms = alarms
        decision.rejectStatus = config.onCritical.status
        if let critical, suspensions[critical.account] == nil {
            suspensions[critical.account] = AccountSuspension(
                account: critical.account, since: critical.windowEnd, rule: critical.rule.rawValue, reason: critical.detail)
            decision.suspendedAccount = true
        }
        return decision
    }

    /// Forgets the least recently seen accounts with no call in progress, down to three quarters
    /// of ``maxAccounts``.
    private mutating func forgetIdleAccounts(at now: Date) {
        let idle = accounts.filter { $0.value.activeCalls == 0 }.sorted { $0.value.lastSeen < $1.value.lastSeen }
        for (account, _) in idle.prefix(max(0, accounts.count - maxAccounts * 3 / 4)) { accounts.removeValue(forKey: account) }
    }

    private func isAfterHours(_ moment: LocalClock.Moment) -> Bool {
        let weekdays = FraudConfig.Weekday.allCases
        for window in config.afterHours.windows {
            let today = window.days.contains(weekdays[moment.weekday])
            if window.from < window.to {
                if today, moment.minute >= window.from, moment.minute < window.to { return true }
            } else {
                let yesterday = window.days.contains(weekdays[(moment.weekday + 6) % 7])
                if today, moment.minute >= window.from { return true }
                if yesterday, moment.minute < window.to { return true }
            }
        }
        return false
    }

    static func prefix(of e164: String, digits: Int) -> String {
        // Bytes, not characters: a number is ASCII, and this runs for every call.
        String(decoding: e164.utf8.drop { $0 == UInt8(ascii: "+") }.prefix(max(0, digits)), as: UTF8.self)
    }

    static func describe(_ classification: Classification) -> String {
        switch classification.numberClass {
        case .internal: "an internal number"
        case .emergency: "an emergency number"
        case .national: "a national number"
        case .mobile: "a mobile number"
        case .international: "an international number"
        case .premium: "a premium-rate number"
        case .highRisk: "a high-risk number"
        }
    }

    /// A count as a whole number, anything else with one decimal.
    /// The highest level `value` is above, with that level's limit; `nil` when it is above none.
    static func crossed(_ level: FraudConfig.Level, by value: Double) -> (FraudSeverity, Double)? {
        if let critical = level.critical, value > critical { return (.critical, critical) }
        if let warning = level.warning, value > warning { return (.warning, warning) }
        return nil
    }

    static func number(_ value: Double) -> String {
        guard abs(value) < 1e15 else { return String(value) }
        if value == value.rounded() { return String(Int(value)) }
        let tenths = Int((value * 10).rounded())
        return "\(tenths < 0 ? "-" : "")\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }

    static func clockText(_ minute: Int) -> String {
        let hours = minute / 60, minutes = minute % 60
        return "\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
    }
}
