import Foundation

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

        public init() {}
    }

    public let settings: Settings
    /// Whether a first destination stays an anomaly until an operator allows it (the gateway holds
    /// such calls), instead of being learned a day after it was first flagged.
    public var holdsUntilAllowed = false
    /// The home country's calling code (calls there are not "abroad").
    public let home: String
    public private(set) var baselines: [String: AccountBaseline] = [:]
    private var clock: LocalClock
    /// The zone of local days and hours.
    public var timeZone: TimeZone { clock.timeZone }
    /// Destinations flagged as first calls, per account, with when they were first flagged.
    private var quarantined: [String: [String: Date]] = [:]
    /// Per account: the clock hour being counted, its calls so far and how many of them were learned.
    private var currentHour: [String: (day: Int, hour: Int, calls: Int, learned: Int)] = [:]
    /// Destinations an operator allowed, per account (`+371`, `premium`).
    private var allowed: [String: Set<String>] = [:]
    /// Per account: the recent premium and high-risk calls (times), within the slow-run window.
    private var risky: [String: [Date]] = [:]

    public init(settings: Settings = Settings(), home: String, timeZone: TimeZone) {
        self.settings = settings
        self.home = home
        self.clock = LocalClock(timeZone: timeZone)
    }

    /// The operators' allowances as they now stand (`+371`, or a class such as `premium`, per
    /// account): calls there are no longer an account's first, and a running anomaly there ends;
    /// those withdrawn no longer count (a destination the account has since called normally stays
    /// learned).
    public mutating func setAllowances(_ allowances: [(account: String, destination: String)]) {
        let previous = allowed
        allowed = [:]
        for allowance in allowances {
            if previous[allowance.account]?.contains(allowance.destination) != true {
                quarantined[allowance.account]?[allowance.destination] = nil
            }
            allowed[allowance.account, default: []].insert(allowance.destination)
        }
    }

    /// Whether a warning of a threshold at its default level is ordinary for `account`: its history
    /// is long enough, and came near `value` before on that rule (the busiest day's calls or minutes,
    /// the most calls abroad in 60 minutes, with ``normalMargin``). The critical level is never
    /// raised this way.
    public func isWithinNormal(_ alarm: FraudAlarm, at time: Date) -> Bool {
        guard alarm.severity == .warning, let baseline = baselines[alarm.scope == .global ? Self.allCalls : alarm.account],
              baseline.isMature(at: time, days: settings.minimumDays, minimumCalls: settings.minimumCalls),
              let peak = baseline.peak(for: alarm.rule) else { return false }
        return alarm.value <= max(peak * Self.normalMargin, peak + 2)
    }

    /// How far above its own busiest a value may go and still be the account's normal: a quarter
    /// (and at least two), so a new record by one call is not a warning.
    public static let normalMargin = 1.25

    /// Whether the account (or all calls, for a global alarm) has enough history at `time` to judge
    /// the alarm against.
    public func hasBaseline(for alarm: FraudAlarm, at time: Date) -> Bool {
        baselines[alarm.scope == .global ? Self.allCalls : alarm.account]?
            .isMature(at: time, days: settings.minimumDays, minimumCalls: settings.minimumCalls) ?? false
    }

    /// The baseline of all calls together (for the global thresholds' warnings).
    public static let allCalls = "*"

    /// Learns the answered length of a call of `account` that ended at `time`.
    public mutating func ended(account: String, at time: Date, billableSeconds: TimeInterval) {
        let day = clock.moment(time).day
        baselines[account]?.learnEnd(seconds: billableSeconds, day: day)
        baselines[Self.allCalls]?.learnEnd(seconds: billableSeconds, day: day)
    }

    /// Judges a call `account` made at `time` to `dialled` (classified as `classification`), then
    /// learns it. Returns the anomalies it is part of.
    public mutating func observe(callID: String, account: String, dialled: String, at time: Date,
                                 classification: Classification?) -> [FraudAlarm] {
        let moment = clock.moment(time)
        let hour = moment.minute / 60
        // The hour's count, judged against this hour of the week's normal before it.
        var thisHour = currentHour[account].flatMap { $0.day == moment.day && $0.hour == hour ? $0 : nil }
            ?? (day: moment.day, hour: hour, calls: 0, learned: 0)
        thisHour.calls += 1
        let alarms = judge(callID: callID, account: account, at: time, moment: moment, thisHour: thisHour, classification: classification)
        // A call that is part of an anomaly does not become part of the normal. (Learned in place:
        // the judging above holds no copy of the baseline any more.)
        if alarms.isEmpty {
            baselines[account, default: AccountBaseline()].learn(at: time, moment: moment, classification: classification, home: home)
            baselines[Self.allCalls, default: AccountBaseline()].learn(at: time, moment: moment, classification: classification, home: home)
            thisHour.learned += 1
        }
        currentHour[account] = thisHour
        return alarms
    }

    private mutating func judge(callID: String, account: String, at time: Date, moment: LocalClock.Moment,
                                thisHour: (day: Int, hour: Int, calls: Int, learned: Int), classification: Classification?) -> [FraudAlarm] {
        guard let baseline = baselines[account], baseline.isMature(at: time, days: settings.minimumDays, minimumCalls: settings.minimumCalls) else {
            noteRisky(account, time: time, classification: classification)
            return []
        }
        let context = Context(account: account, callID: callID, time: time, moment: moment, baseline: baseline)
        var alarms: [FraudAlarm] = []
        if let alarm = firstDestination(context, classification: classification) { alarms.append(alarm) }
        if let alarm = volume(context, count: thisHour.calls, learnedThisHour: thisHour.learned) { alarms.append(alarm) }
        if let alarm = slowRun(context, classification: classification) { alarms.append(alarm) }
        return alarms
    }

    private struct Context {
        var account: String
        var callID: String
        var time: Date
        var moment: LocalClock.Moment
        var baseline: AccountBaseline

        var days: Int { Int(baseline.span(at: time) / 86_400) }
        var clockTime: String { String(format: "%02d:%02d", moment.minute / 60, moment.minute % 60) }
        var outsideActiveHours: Bool { baseline.callsByHourOfDay[moment.minute / 60] == 0 }

        /// What the account did before: "in 49 days before it made 212 calls, none abroad".
        var history: String {
            var text = "in \(days) days before it made \(baseline.calls) call\(baseline.calls == 1 ? "" : "s")"
            if baseline.countries.isEmpty {
                text += ", none abroad"
            } else {
                let known = baseline.countries.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5).map { "+\($0.key)" }
                text += ", abroad only to \(known.joined(separator: ", "))\(baseline.countries.count > 5 ? " and others" : "")"
            }
            return text
        }
    }

    // MARK: - Rules

    private mutating func firstDestination(_ context: Context, classification: Classification?) -> FraudAlarm? {
        guard let classification else { return nil }
        let numberClass = classification.numberClass
        let risky = numberClass == .premium || numberClass == .highRisk
        let abroad = classification.countryCode.map { $0 != home } ?? false
        guard risky || (abroad && numberClass == .international) else { return nil }
        var keys: [String] = []
        if abroad, let country = classification.countryCode, context.baseline.countries[country] == nil { keys.append("+\(country)") }
        if risky, context.baseline.classes[numberClass] == nil { keys.append(numberClass.rawValue) }
        if let allowed = allowed[context.account] { keys.removeAll { allowed.contains($0) } }
        guard !keys.isEmpty else { return nil }
        // Weighed by risk and by time: a new ordinary country for an account that calls abroad
        // anyway, in its usual hours, is nothing to report.
        let outside = context.outsideActiveHours
        let score = (risky ? 2 : context.baseline.callsAbroad == 0 ? 1 : 0) + (outside ? 1 : 0)
        guard score > 0 else { return nil }
        // A destination flagged less than a day ago stays part of its anomaly; after that it is learned.
        var active: [String] = []
        for key in keys {
            if let since = quarantined[context.account]?[key] {
                if holdsUntilAllowed || context.time.timeIntervalSince(since) < settings.quarantine { active.append(key) }
            } else {
                quarantined[context.account, default: [:]][key] = context.time
                active.append(key)
            }
        }
        guard !active.isEmpty else { return nil }
        let since = active.compactMap { quarantined[context.account]?[$0] }.min() ?? context.time

        let severity: FraudSeverity = score >= 2 ? .critical : .warning
        let what = risky ? "\(numberClass == .premium ? "premium-rate" : "high-risk") number" : "number abroad"
        let country = classification.countryCode.map { " in +\($0)" } ?? ""
        var detail = "account \(context.account) called a \(what)\(country) (\(classification.e164 ?? "?")) at \(context.clockTime)"
        detail += outside ? ", outside its usual hours" : ""
        detail += "; the first calls to \(active.joined(separator: " and ")) it ever made; \(context.history)"
        return FraudAlarm(rule: .firstDestination, severity: severity, scope: .account, account: context.account, value: 1, limit: 0,
                          windowStart: since, windowEnd: context.time, callID: context.callID, detail: detail)
    }

    private func volume(_ context: Context, count: Int, learnedThisHour: Int) -> FraudAlarm? {
        guard count >= settings.volumeMinimumCalls else { return nil }
        let usual = context.baseline.usualCalls(hourOfWeek: context.moment.weekday * 24 + context.moment.minute / 60, at: context.time,
                                                excluding: learnedThisHour)
        // The hour of the week's own mean, but never less than half the account's usual pace in its
        // working hours: a few weeks of history make each hour of the week noisy.
        let mean = max(usual, context.baseline.callsPerActiveHour / 2, 0.5)
        let limit = Self.poissonThreshold(mean: mean, significance: settings.volumeSignificance)
        guard count >= max(limit, settings.volumeMinimumCalls) else { return nil }
        let start = context.time.addingTimeInterval(-Double(context.moment.minute % 60) * 60)
        let detail = String(format: "account %@ made %d calls in the hour from %02d:00, against a usual %.1f for that hour of the week (%d would already be unheard of); %@",
                            context.account, count, context.moment.minute / 60, usual, limit, context.history)
        return FraudAlarm(rule: .volumeAnomaly, severity: count >= 2 * limit ? .critical : .warning, scope: .account, account: context.account,
                          value: Double(count), limit: Double(limit), windowStart: start, windowEnd: start.addingTimeInterval(3_600),
                          callID: context.callID, detail: detail)
    }

    private mutating func slowRun(_ context: Context, classification: Classification?) -> FraudAlarm? {
        guard noteRisky(context.account, time: context.time, classification: classification) else { return nil }
        let recent = risky[context.account] ?? []
        guard recent.count >= settings.slowRunCalls else { return nil }
        var clock = self.clock
        let hours = Set(recent.map { time -> Int in
            let moment = clock.moment(time)
            return moment.day * 24 + moment.minute / 60
        })
        guard hours.count >= settings.slowRunHours else { return nil }
        // Only unusual for this account: its history would not have led to a run like this.
        let expected = Double(context.baseline.riskyCalls) * settings.slowRunWindow / max(context.baseline.span(at: context.time), 86_400)
        guard expected < 1 else { return nil }
        let first = recent.first ?? context.time
        let span = context.time.timeIntervalSince(first) / 3_600
        let detail = String(format: "account %@ made %d premium-rate or high-risk calls over %.0f hours, in %d different hours; %@, %d of them premium-rate or high-risk",
                            context.account, recent.count, span, hours.count, context.history, context.baseline.riskyCalls)
        return FraudAlarm(rule: .slowRun, severity: .critical, scope: .account, account: context.account, value: Double(recent.count),
                          limit: Double(settings.slowRunCalls), windowStart: first, windowEnd: context.time, callID: context.callID,
                          detail: detail)
    }

    /// Keeps the account's recent premium and high-risk calls; returns whether this call is one.
    @discardableResult
    private mutating func noteRisky(_ account: String, time: Date, classification: Classification?) -> Bool {
        let isRisky = classification.map { $0.numberClass == .premium || $0.numberClass == .highRisk } ?? false
        guard isRisky || risky[account] != nil else { return false }
        let window = settings.slowRunWindow
        risky[account, default: []].removeAll { time.timeIntervalSince($0) > window }
        if isRisky { risky[account, default: []].append(time) }
        if risky[account]?.isEmpty == true { risky[account] = nil }
        return isRisky
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
