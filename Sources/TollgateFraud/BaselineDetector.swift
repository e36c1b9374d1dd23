import Foundation
import TollgateConfig

/// Judges each call against its account's own normal (``AccountBaseline``), learned from the calls
/// before it, and then learns the call. Calls must come in time order. Accounts with too little
/// history are not judged here: the thresholds alone stand for them.
///
/// The anomalies, each an alarm with a sentence a person can act on:
/// - ``FraudRule/firstDestination``: a call abroad, or to a premium-rate or high-risk destination,
///   to a country or class the account never called, weighed by risk and time: a premium-rate or
///   high-risk number is critical; a first call abroad from an account that never called abroad is a
///   warning, critical outside the hours the account is active; a new ordinary country for an
///   account that calls abroad anyway counts only outside its hours. For a day after the first such
///   call, further calls there are part of the same anomaly; then the destination is learned.
/// - ``FraudRule/volumeAnomaly``: more calls in one clock hour than the account's usual number for
///   that hour of the week (at least half its pace in its working hours) makes believable (a Poisson
///   tail below ``Settings/volumeSignificance``): an account whose normal is busy needs far more to
///   stand out than a quiet one.
/// - ``FraudRule/slowRun``: premium-rate and high-risk calls repeated over hours or days (at least
///   ``Settings/slowRunCalls`` in ``Settings/slowRunWindow``, in ``Settings/slowRunHours`` or more
///   different hours), each hour under any threshold, from an account whose history has almost none.
///
/// Pure: time is the calls' own.
public struct BaselineDetector: Sendable {
    public struct Settings: Sendable, Hashable {
        /// History an account needs before it is judged against it.
        public var minimumDays: Double = 14
        public var minimumCalls = 20
        /// How long calls to a newly flagged destination stay part of its anomaly before it is learned.
        public var quarantine: TimeInterval = 86_400
        /// How unlikely an hour's count must be, given the account's usual count, to be an anomaly.
        public var volumeSignificance: Double = 1e-6
        /// Fewer calls than this in an hour are never a volume anomaly.
        public var volumeMinimumCalls = 8
        public var slowRunCalls = 6
        public var slowRunWindow: TimeInterval = 72 * 3600
        public var slowRunHours = 3
        /// What a short call and a run of them are, for learning each account's longest run (the
        /// probing rule's documented defaults: its warning is judged against that run only while
        /// the defaults are in force).
        public var shortCalls = FraudConfig.Thresholds.accountDefaults.shortCalls

        public init() {}
    }

    public let settings: Settings
    /// Whether a first destination stays an anomaly until an operator allows it (the gateway holds
    /// such calls), instead of being learned a day after it was first flagged.
    public var holdsUntilAllowed = false
    /// The home country's calling code (calls there are not "abroad").
    public let home: String
    /// Each account's baseline, for those that have learned a call (and ``allCalls`` for all of them).
    public var baselines: [String: AccountBaseline] {
        var learned: [String: AccountBaseline] = [:]
        for (account, slot) in slots where accounts[slot].baseline.calls > 0 { learned[account] = accounts[slot].baseline }
        return learned
    }
    private var clock: LocalClock
    /// The zone of local days and hours.
    public var timeZone: TimeZone { clock.timeZone }
    /// Each account's place in ``accounts``: its name is hashed once per call, and everything the
    /// detector keeps about it is reached from there (``allCalls`` is slot 0).
    private var slots: [String: Int] = [Self.allCalls: 0]
    private var accounts: [AccountState] = [AccountState()]

    /// What the detector keeps about one account.
    private struct AccountState {
        /// Its normal, learned from the calls that were not part of an anomaly (none learned yet: 0 calls).
        var baseline = AccountBaseline()
        /// The clock hour being counted, its calls so far and how many of them were learned.
        var hour = (day: Int.min, hour: 0, calls: 0, learned: 0)
        /// Destinations flagged as first calls, with when they were first flagged.
        var quarantined: [String: Date] = [:]
        /// The recent premium and high-risk calls (times), within the slow-run window.
        var risky: [Date] = []
        /// Destinations an operator allowed (`+371`, `premium`).
        var allowed: Set<String> = []
    }

    public init(settings: Settings = Settings(), home: String, timeZone: TimeZone) {
        self.settings = settings
        self.home = home
        self.clock = LocalClock(timeZone: timeZone)
    }

    /// The slot of `account`, made when it is new.
    private mutating func slot(_ account: String) -> Int {
        if let slot = slots[account] { return slot }
        accounts.append(AccountState())
        slots[account] = accounts.count - 1
        return accounts.count - 1
    }

    /// The baseline of `account`, when it has learned any call.
    private func baseline(_ account: String) -> AccountBaseline? {
        guard let slot = slots[account], accounts[slot].baseline.calls > 0 else { return nil }
        return accounts[slot].baseline
    }

    /// The operators' allowances as they now stand (`+371`, or a class such as `premium`, per
    /// account): calls there are no longer an account's first, and a running anomaly there ends;
    /// those withdrawn no longer count (a destination the account has since called normally stays
    /// learned).
    public mutating func setAllowances(_ allowances: [(account: String, destination: String)]) {
        let previous = accounts.map(\.allowed)
        for index in accounts.indices { accounts[index].allowed = [] }
        for allowance in allowances {
            let index = slot(allowance.account)
            if index >= previous.count || !previous[index].contains(allowance.destination) {
                accounts[index].quarantined[allowance.destination] = nil
            }
            accounts[index].allowed.insert(allowance.destination)
        }
    }

    /// Whether a warning of a threshold at its default level is ordinary for `account`: its history
    /// is long enough, and came near `value` before on that rule (the busiest day's calls or minutes,
    /// the most calls abroad in 60 minutes, with ``normalMargin``; the longest run of short calls to
    /// one prefix, with the margin but not the two more). The critical level is never raised this way.
    public func isWithinNormal(_ alarm: FraudAlarm, at time: Date) -> Bool {
        guard alarm.severity == .warning, let baseline = baseline(alarm.scope == .global ? Self.allCalls : alarm.account),
              baseline.isMature(at: time, days: settings.minimumDays, minimumCalls: settings.minimumCalls),
              let peak = baseline.peak(for: alarm.rule) else { return false }
        // Short calls in a row are rare for most accounts: two of them once must not excuse four.
        if alarm.rule == .shortCalls { return alarm.value <= peak * Self.normalMargin }
        return alarm.value <= max(peak * Self.normalMargin, peak + 2)
    }

    /// How far above its own busiest a value may go and still be the account's normal: a quarter
    /// (and at least two), so a new record by one call is not a warning.
    public static let normalMargin = 1.25

    /// Whether the account (or all calls, for a global alarm) has enough history at `time` to judge
    /// the alarm against.
    public func hasBaseline(for alarm: FraudAlarm, at time: Date) -> Bool {
        baseline(alarm.scope == .global ? Self.allCalls : alarm.account)?
            .isMature(at: time, days: settings.minimumDays, minimumCalls: settings.minimumCalls) ?? false
    }

    /// The baseline of all calls together (for the global thresholds' warnings).
    public static let allCalls = "*"

    /// Learns the answered length of a call of `account` that ended at `time`, and, for an answered
    /// call to `destination` (its E.164 number), the account's runs of short calls to one prefix
    /// as the probing rule's defaults count them (``Settings/shortCalls``).
    public mutating func ended(account: String, at time: Date, billableSeconds: TimeInterval, answeredDestination destination: String? = nil) {
        let day = clock.moment(time).day
        if let slot = slots[account], accounts[slot].baseline.calls > 0 {
            accounts[slot].baseline.learnEnd(seconds: billableSeconds, day: day, at: time, destination: destination,
                                             shortCalls: settings.shortCalls)
        }
        if accounts[0].baseline.calls > 0 { accounts[0].baseline.learnEnd(seconds: billableSeconds, day: day) }
    }

    /// Judges a call `account` made at `time` to `dialled` (classified as `classification`), then
    /// learns it. Returns the anomalies it is part of.
    public mutating func observe(callID: String, account: String, dialled: String, at time: Date,
                                 classification: Classification?) -> [FraudAlarm] {
        let moment = clock.moment(time)
        let hour = moment.minute / 60
        let index = slot(account)
        // The hour's count, judged against this hour of the week's normal before it.
        if accounts[index].hour.day != moment.day || accounts[index].hour.hour != hour {
            accounts[index].hour = (day: moment.day, hour: hour, calls: 0, learned: 0)
        }
        accounts[index].hour.calls += 1
        let rules = Rules(settings: settings, home: home, holdsUntilAllowed: holdsUntilAllowed, clock: clock)
        let context = Context(account: account, callID: callID, time: time, moment: moment)
        let alarms = rules.judge(&accounts[index], context, classification: classification)
        // A call that is part of an anomaly does not become part of the normal. (Learned in place:
        // nothing holds a copy of the baseline.)
        if alarms.isEmpty {
            accounts[index].baseline.learn(at: time, moment: moment, classification: classification, home: home)
            accounts[0].baseline.learn(at: time, moment: moment, classification: classification, home: home)
            accounts[index].hour.learned += 1
        }
        return alarms
    }

    /// The call being judged.
    private struct Context {
        var account: String
        var callID: String
        var time: Date
        var moment: LocalClock.Moment

        var clockTime: String { String(format: "%02d:%02d", moment.minute / 60, moment.minute % 60) }
    }

    // MARK: - Rules

    /// The anomaly rules, judging one account's call against what the detector keeps about it.
    private struct Rules {
        var settings: Settings
        var home: String
        var holdsUntilAllowed: Bool
        var clock: LocalClock

        func judge(_ state: inout AccountState, _ context: Context, classification: Classification?) -> [FraudAlarm] {
            guard state.baseline.calls > 0,
                  state.baseline.isMature(at: context.time, days: settings.minimumDays, minimumCalls: settings.minimumCalls) else {
                noteRisky(&state, time: context.time, classification: classification)
                return []
            }
            var alarms: [FraudAlarm] = []
            if let alarm = firstDestination(&state, context, classification: classification) { alarms.append(alarm) }
            if let alarm = volume(state, context) { alarms.append(alarm) }
            if let alarm = slowRun(&state, context, classification: classification) { alarms.append(alarm) }
            return alarms
        }

        /// What the account did before: "in 49 days before it made 212 calls, none abroad".
        func history(_ baseline: AccountBaseline, at time: Date) -> String {
            let days = Int(baseline.span(at: time) / 86_400)
            var text = "in \(days) days before it made \(baseline.calls) call\(baseline.calls == 1 ? "" : "s")"
            if baseline.countries.isEmpty {
                text += ", none abroad"
            } else {
                let known = baseline.countries.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5).map { "+\($0.key)" }
                text += ", abroad only to \(known.joined(separator: ", "))\(baseline.countries.count > 5 ? " and others" : "")"
            }
            return text
        }

        func firstDestination(_ state: inout AccountState, _ context: Context, classification: Classification?) -> FraudAlarm? {
            guard let classification else { return nil }
            let numberClass = classification.numberClass
            let risky = numberClass == .premium || numberClass == .highRisk
            let abroad = classification.countryCode.map { $0 != home } ?? false
            guard risky || (abroad && numberClass == .international) else { return nil }
            var keys: [String] = []
            if abroad, let country = classification.countryCode, state.baseline.countries[country] == nil { keys.append("+\(country)") }
            if risky, state.baseline.classes[numberClass] == nil { keys.append(numberClass.rawValue) }
            if !state.allowed.isEmpty { keys.removeAll { state.allowed.contains($0) } }
            guard !keys.isEmpty else { return nil }
            // Weighed by risk and by time: a new ordinary country for an account that calls abroad
            // anyway, in its usual hours, is nothing to report.
            let outside = state.baseline.callsByHourOfDay[context.moment.minute / 60] == 0
            let score = (risky ? 2 : state.baseline.callsAbroad == 0 ? 1 : 0) + (outside ? 1 : 0)
            guard score > 0 else { return nil }
            // A destination flagged less than a day ago stays part of its anomaly; after that it is learned.
            var active: [String] = []
            for key in keys {
                if let since = state.quarantined[key] {
                    if holdsUntilAllowed || context.time.timeIntervalSince(since) < settings.quarantine { active.append(key) }
                } else {
                    state.quarantined[key] = context.time
                    active.append(key)
                }
            }
            guard !active.isEmpty else { return nil }
            let since = active.compactMap { state.quarantined[$0] }.min() ?? context.time

            let severity: FraudSeverity = score >= 2 ? .critical : .warning
            let what = risky ? "\(numberClass == .premium ? "premium-rate" : "high-risk") number" : "number abroad"
            let country = classification.countryCode.map { " in +\($0)" } ?? ""
            var detail = "account \(context.account) called a \(what)\(country) (\(classification.e164 ?? "?")) at \(context.clockTime)"
            detail += outside ? ", outside its usual hours" : ""
            detail += "; the first calls to \(active.joined(separator: " and ")) it ever made; \(history(state.baseline, at: context.time))"
            return FraudAlarm(rule: .firstDestination, severity: severity, scope: .account, account: context.account, value: 1, limit: 0,
                              windowStart: since, windowEnd: context.time, callID: context.callID, detail: detail)
        }

        func volume(_ state: AccountState, _ context: Context) -> FraudAlarm? {
            let count = state.hour.calls
            guard count >= settings.volumeMinimumCalls else { return nil }
            let baseline = state.baseline
            let usual = baseline.usualCalls(hourOfWeek: context.moment.weekday * 24 + context.moment.minute / 60, at: context.time,
                                            excluding: state.hour.learned)
            // The hour of the week's own mean, but never less than half the account's usual pace in its
            // working hours: a few weeks of history make each hour of the week noisy.
            let mean = max(usual, baseline.callsPerActiveHour / 2, 0.5)
            let limit = BaselineDetector.poissonThreshold(mean: mean, significance: settings.volumeSignificance)
            guard count >= max(limit, settings.volumeMinimumCalls) else { return nil }
            let start = context.time.addingTimeInterval(-Double(context.moment.minute % 60) * 60)
            let detail = String(format: "account %@ made %d calls in the hour from %02d:00, against a usual %.1f for that hour of the week (%d would already be unheard of); %@",
                                context.account, count, context.moment.minute / 60, usual, limit, history(baseline, at: context.time))
            return FraudAlarm(rule: .volumeAnomaly, severity: count >= 2 * limit ? .critical : .warning, scope: .account, account: context.account,
                              value: Double(count), limit: Double(limit), windowStart: start, windowEnd: start.addingTimeInterval(3_600),
                              callID: context.callID, detail: detail)
        }

        func slowRun(_ state: inout AccountState, _ context: Context, classification: Classification?) -> FraudAlarm? {
            guard noteRisky(&state, time: context.time, classification: classification) else { return nil }
            let recent = state.risky
            guard recent.count >= settings.slowRunCalls else { return nil }
            var clock = self.clock
            let hours = Set(recent.map { time -> Int in
                let moment = clock.moment(time)
                return moment.day * 24 + moment.minute / 60
            })
            guard hours.count >= settings.slowRunHours else { return nil }
            // Only unusual for this account: its history would not have led to a run like this.
            let baseline = state.baseline
            let expected = Double(baseline.riskyCalls) * settings.slowRunWindow / max(baseline.span(at: context.time), 86_400)
            guard expected < 1 else { return nil }
            let first = recent.first ?? context.time
            let span = context.time.timeIntervalSince(first) / 3_600
            let detail = String(format: "account %@ made %d premium-rate or high-risk calls over %.0f hours, in %d different hours; %@, %d of them premium-rate or high-risk",
                                context.account, recent.count, span, hours.count, history(baseline, at: context.time), baseline.riskyCalls)
            return FraudAlarm(rule: .slowRun, severity: .critical, scope: .account, account: context.account, value: Double(recent.count),
                              limit: Double(settings.slowRunCalls), windowStart: first, windowEnd: context.time, callID: context.callID,
                              detail: detail)
        }

        /// Keeps the account's recent premium and high-risk calls; returns whether this call is one.
        @discardableResult
        func noteRisky(_ state: inout AccountState, time: Date, classification: Classification?) -> Bool {
            let isRisky = classification.map { $0.numberClass == .premium || $0.numberClass == .highRisk } ?? false
            guard isRisky || !state.risky.isEmpty else { return false }
            let window = settings.slowRunWindow
            state.risky.removeAll { time.timeIntervalSince($0) > window }
            if isRisky { state.risky.append(time) }
            return isRisky
        }
    }

    /// The smallest count whose Poisson upper tail, for `mean`, is below `significance`.
    static func poissonThreshold(mean: Double, significance: Double) -> Int {
        // Far from zero the tail is normal enough (and e^-mean would underflow).
        if mean > 200 { return Int((mean + 5 * mean.squareRoot()).rounded(.up)) }
        // P(X ≥ k) = 1 − Σ_{i<k} P(X = i); summed until the remainder is below the significance.
        var term = exp(-mean)
        var cumulative = term
        var k = 0
        while 1 - cumulative >= significance, k < 100_000 {
            k += 1
            term *= mean / Double(k)
            cumulative += term
        }
        return k + 1
    }
}
