import Foundation
import TollgateConfig

/// One account's normal, learned from its own calls: how many it makes in each hour of the week,
/// the hours of the day it is active, the countries and destination classes it calls.
public struct AccountBaseline: Sendable {
    /// The first and the latest call learned.
    public private(set) var firstCall: Date?
    public private(set) var lastCall: Date?
    /// Calls learned.
    public private(set) var calls = 0
    /// Calls by local hour of the week (0 = Monday 00:00–01:00 … 167 = Sunday 23:00–24:00).
    public private(set) var callsByHourOfWeek = [Int](repeating: 0, count: 168)
    /// Calls by local hour of the day.
    public private(set) var callsByHourOfDay = [Int](repeating: 0, count: 24)
    /// Calls abroad, by country calling code (`371`).
    public private(set) var countries: [String: Int] = [:]
    /// Calls by destination class.
    public private(set) var classes: [NumberClass: Int] = [:]
    /// Over the days that are over (today's own calls never make today's normal): the busiest
    /// day's calls, the most international, premium and high-risk calls in any 60 minutes, and the
    /// busiest day's answered minutes (what the thresholds of the same names count).
    public var peakCallsPerDay: Int { peakDay }
    public private(set) var peakInternationalPerHour = 0
    public var peakMinutesPerDay: Double { peakMinutes }
    private var peakMinutes = 0.0
    /// Over the days that are over: the longest run of sequential short answered calls to one
    /// destination prefix (what the probing rule counts). An account whose work makes short calls
    /// (checking lines, an auto-dialler) has a long one; for most it is 0 or 1.
    public var peakShortCallRun: Int { peakShortRun }
    private var peakShortRun = 0
    private var todayShortRunPeak = 0
    /// The run of short calls in progress: its prefix, its length and when its last call ended.
    private var shortRun = (prefix: "", count: 0, last: Date.distantPast)
    /// Today's most calls abroad in 60 minutes, until the day is over.
    private var todayInternationalPeak = 0
    private var currentMinutes = (day: Int.min, minutes: 0.0)
    /// Distinct clock hours with at least one call learned.
    public private(set) var activeHours = 0
    private var lastActiveHour = Int.min
    private var peakDay = 0
    private var currentDay = (day: Int.min, calls: 0)
    /// The international, premium and high-risk calls of the last 60 minutes learned, from
    /// `recentStart` on (trimmed from the front, compacted now and then).
    private var recentAbroad: [Date] = []
    private var recentStart = 0

    public init() {}

    /// Learns one call made at `time` (local `moment`) to a destination classified as `classification`.
    public mutating func learn(at time: Date, moment: LocalClock.Moment, classification: Classification?, home: String) {
        if firstCall == nil { firstCall = time }
        lastCall = max(lastCall ?? time, time)
        calls += 1
        let hour = moment.minute / 60
        callsByHourOfWeek[moment.weekday * 24 + hour] += 1
        callsByHourOfDay[hour] += 1
        if moment.day * 24 + hour != lastActiveHour {
            lastActiveHour = moment.day * 24 + hour
            activeHours += 1
        }
        if currentDay.day != moment.day {
            peakDay = max(peakDay, currentDay.calls)
            peakInternationalPerHour = max(peakInternationalPerHour, todayInternationalPeak)
            todayInternationalPeak = 0
            currentDay = (moment.day, 0)
        }
        currentDay.calls += 1
        guard let classification else { return }
        classes[classification.numberClass, default: 0] += 1
        if classification.numberClass.isAbroadOrRisky {
            while recentStart < recentAbroad.count, time.timeIntervalSince(recentAbroad[recentStart]) >= 3_600 { recentStart += 1 }
            if recentStart > 1_024, recentStart * 2 > recentAbroad.count {
                recentAbroad.removeFirst(recentStart)
                recentStart = 0
            }
            recentAbroad.append(time)
            todayInternationalPeak = max(todayInternationalPeak, recentAbroad.count - recentStart)
        }
        if let country = classification.countryCode, country != home { countries[country, default: 0] += 1 }
    }

    /// Learns the answered length of a call that ended at `time`, on local day `day`. `destination`
    /// is the E.164 number of an answered call (nil: unanswered, or not a number); the probing
    /// rule's runs are counted by its first digits as the fraud engine counts them under `shortCalls`:
    /// a call answered for less than its seconds to the prefix of the run, within its window of the
    /// run's last call, makes it longer; to another prefix it starts a new one; a longer call
    /// elsewhere ends it.
    public mutating func learnEnd(seconds: TimeInterval, day: Int, at time: Date = .distantPast, destination: String? = nil,
                                  shortCalls rule: FraudConfig.ShortCalls = FraudConfig.Thresholds.accountDefaults.shortCalls) {
        if currentMinutes.day != day {
            peakMinutes = max(peakMinutes, currentMinutes.minutes)
            peakShortRun = max(peakShortRun, todayShortRunPeak)
            todayShortRunPeak = 0
            currentMinutes = (day, 0)
        }
        currentMinutes.minutes += seconds / 60
        // Most answered calls are long and follow no run: nothing more to learn from them.
        guard let destination, seconds < rule.maxSeconds || shortRun.count > 0 else { return }
        let prefix = FraudEngine.prefix(of: destination, digits: rule.prefixDigits)
        if seconds < rule.maxSeconds {
            if shortRun.prefix == prefix, time.timeIntervalSince(shortRun.last) <= rule.window {
                shortRun.count += 1
            } else {
                shortRun = (prefix, 1, time)
            }
            shortRun.last = time
            todayShortRunPeak = max(todayShortRunPeak, shortRun.count)
        } else if shortRun.prefix != prefix {
            shortRun = ("", 0, .distantPast)
        }
    }

    /// How long the account has been seen, up to `time`.
    public func span(at time: Date) -> TimeInterval {
        firstCall.map { max(0, time.timeIntervalSince($0)) } ?? 0
    }

    /// Whether there is enough history to judge by: `days` of it and `minimumCalls` calls.
    public func isMature(at time: Date, days: Double, minimumCalls: Int) -> Bool {
        calls >= minimumCalls && span(at: time) >= days * 86_400
    }

    /// The usual number of calls in one hour of the week: those learned for it over the weeks seen,
    /// leaving out `excluding` calls (the ones of the hour being judged, learned already).
    public func usualCalls(hourOfWeek: Int, at time: Date, excluding: Int = 0) -> Double {
        let weeks = max(1, span(at: time) / (7 * 86_400))
        return Double(max(0, callsByHourOfWeek[hourOfWeek] - excluding)) / weeks
    }

    /// The account's own peak for what a threshold rule counts (`nil` for the rules it does not learn).
    public func peak(for rule: FraudRule) -> Double? {
        switch rule {
        case .callsPerDay: Double(peakCallsPerDay)
        case .internationalPerHour: Double(peakInternationalPerHour)
        case .minutesPerDay: peakMinutesPerDay
        case .shortCalls: Double(peakShortCallRun)
        default: nil
        }
    }

    /// The account's calls per hour in which it makes any: how busy its working hours are.
    public var callsPerActiveHour: Double { activeHours == 0 ? 0 : Double(calls) / Double(activeHours) }

    /// Calls to premium-rate and high-risk destinations learned.
    public var riskyCalls: Int { (classes[.premium] ?? 0) + (classes[.highRisk] ?? 0) }

    /// Calls abroad learned (international, premium and high-risk abroad alike).
    public var callsAbroad: Int { countries.values.reduce(0, +) }
}
