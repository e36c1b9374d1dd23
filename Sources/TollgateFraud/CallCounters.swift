import Foundation
import TollgateConfig

/// The counters of one scope (an account, or all calls together), kept exact and bounded: a call
/// is counted once when it begins and uncounted once when it ends.
struct CallCounters: Sendable {
    /// Call starts in the last 60 seconds.
    var minute: TimestampWindow
    /// International, premium and high-risk call starts in the last hour.
    var internationalHour: TimestampWindow
    /// The local day the day counters are for.
    var day = Int.min
    /// The first event of the day.
    var dayStart = Date.distantPast
    var callsToday = 0
    /// Answered seconds of calls that ended today.
    var secondsToday: Double = 0
    /// How many calls are in progress. (The engine knows each one by its Call-ID, and counts it
    /// here exactly once at its start and once at its end.)
    var activeCalls = 0
    /// Answered calls in progress, and the sum of their answer times, so the minutes in progress
    /// are known without walking the calls.
    var answeredActive = 0
    var answerTimeSum: Double = 0
    /// The current run of sequential short calls.
    var shortRun = 0
    var shortPrefix: String?
    var shortRunStart = Date.distantPast
    var shortLast = Date.distantPast
    /// When the scope last saw a call begin or end.
    var lastSeen: Date

    init(thresholds: FraudConfig.Thresholds, now: Date) {
        func capacity(_ level: FraudConfig.Level) -> Int {
            let highest = max(level.warning ?? 0, level.critical ?? 0)
            return Int(min(highest, 1_000_000)) + 2
        }
        minute = TimestampWindow(length: 60, capacity: max(capacity(thresholds.callsPerMinute), 64))
        internationalHour = TimestampWindow(length: 3600, capacity: max(capacity(thresholds.internationalPerHour), 64))
        lastSeen = now
    }

    /// The same counters with windows sized for `thresholds` (new rules after a reload).
    func resized(for thresholds: FraudConfig.Thresholds) -> CallCounters {
        var copy = self
        let sized = CallCounters(thresholds: thresholds, now: lastSeen)
        copy.minute = minute.resized(capacity: sized.minute.capacity)
        copy.internationalHour = internationalHour.resized(capacity: sized.internationalHour.capacity)
        return copy
    }

    /// Stands in for counters moved out while they change.
    static let placeholder = CallCounters(thresholds: FraudConfig.Thresholds(), now: .distantPast)

    /// Starts a new local day's counters when `moment` is on a later day.
    mutating func roll(to moment: LocalClock.Moment, at time: Date) {
        guard moment.day != day else { return }
        day = moment.day
        dayStart = time
        callsToday = 0
        secondsToday = 0
    }

    /// Minutes answered today, calls in progress included.
    func minutesToday(at now: Date) -> Double {
        let inProgress = Double(answeredActive) * now.timeIntervalSince1970 - answerTimeSum
        return (secondsToday + max(0, inProgress)) / 60
    }

    /// Zeroes what an operator may reset; calls in progress stay counted until they end.
    mutating func reset() {
        minute.removeAll()
        internationalHour.removeAll()
        callsToday = 0
        secondsToday = 0
        shortRun = 0
        shortPrefix = nil
    }
}

/// A call the engine counted and has not yet seen end.
struct ActiveCall: Sendable {
    let account: String
    let start: Date
    var answer: Date?
    /// The first digits of its E.164 number, for the probing rule.
    let prefix: String?
}
