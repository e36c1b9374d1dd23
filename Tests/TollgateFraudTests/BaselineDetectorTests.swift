import Foundation
import Testing

@testable import TollgateFraud

@Suite("Each account's normal: first destinations, volume and slow runs")
struct BaselineDetectorTests {
    static let utc = TimeZone(identifier: "UTC")!
    /// Monday 2026-01-05 00:00 UTC.
    static let monday = Date(timeIntervalSince1970: 1_767_571_200)

    static let national = Classification(numberClass: .national, e164: "+441632960123", countryCode: "44")
    static let germany = Classification(numberClass: .international, e164: "+4930123456", countryCode: "49")
    static let ireland = Classification(numberClass: .international, e164: "+35315551234", countryCode: "353")
    static let latviaPremium = Classification(numberClass: .premium, e164: "+37190000001", countryCode: "371", matchedPrefix: "+3719")
    static let ukPremium = Classification(numberClass: .premium, e164: "+449098790123", countryCode: "44", matchedPrefix: "+449")

    static func at(day: Int, hour: Int, minute: Int = 0) -> Date {
        monday.addingTimeInterval(Double(day) * 86_400 + Double(hour) * 3_600 + Double(minute) * 60)
    }

    /// Four weeks of an office account: national calls on weekdays at 10:00, 11:30, 14:00 and 15:30,
    /// and `abroad` (if any) once a day at 16:00.
    static func office(_ detector: inout BaselineDetector, account: String, abroad: Classification? = nil, days: Int = 28) -> [FraudAlarm] {
        var alarms: [FraudAlarm] = []
        for day in 0..<days where day % 7 < 5 {
            for (hour, minute) in [(10, 0), (11, 30), (14, 0), (15, 30)] {
                alarms += detector.observe(callID: "h-\(day)-\(hour)", account: account, dialled: "01632960123",
                                           at: at(day: day, hour: hour, minute: minute), classification: national)
            }
            if let abroad {
                alarms += detector.observe(callID: "a-\(day)", account: account, dialled: "00\(abroad.e164!.dropFirst())",
                                           at: at(day: day, hour: 16), classification: abroad)
            }
        }
        return alarms
    }

    @Test("a first-ever premium-rate call abroad is critical, says what the account did before, and the day's further calls join it")
    func firstPremiumCall() throws {
        var detector = BaselineDetector(home: "44", timeZone: Self.utc)
        #expect(Self.office(&detector, account: "3021").isEmpty, "an ordinary month raises nothing")
        var alarms: [FraudAlarm] = []
        for index in 0..<18 {
            alarms += detector.observe(callID: "f-\(index)", account: "3021", dialled: "0037190000001",
                                       at: Self.at(day: 29, hour: 10, minute: index * 20), classification: Self.latviaPremium)
        }
        let firsts = alarms.filter { $0.rule == .firstDestination }
        #expect(firsts.count == 18 && firsts.allSatisfy { $0.severity == .critical }, "every call of the day is part of it")
        #expect(alarms.contains { $0.rule == .slowRun }, "eighteen premium calls in six hours are a run too")
        let first = try #require(firsts.first)
        #expect(first.detail.contains("account 3021 called a premium-rate number in +371"), "\(first.detail)")
        #expect(first.detail.contains("the first calls to +371 and premium it ever made"), "\(first.detail)")
        #expect(first.detail.contains("in 29 days before it made 80 calls, none abroad"), "\(first.detail)")
        #expect(firsts.last?.windowStart == Self.at(day: 29, hour: 10), "one anomaly from its first call")

        // A day later the destination is no longer new (the run of premium calls still counts).
        let later = detector.observe(callID: "g", account: "3021", dialled: "0037190000001", at: Self.at(day: 30, hour: 11),
                                     classification: Self.latviaPremium)
        #expect(!later.contains { $0.rule == .firstDestination }, "\(later)")
    }

    @Test("a new ordinary country is nothing for an account that calls abroad in its hours; at 03:00 it is reported")
    func newCountryWeighedByHabitAndHour() {
        var detector = BaselineDetector(home: "44", timeZone: Self.utc)
        #expect(Self.office(&detector, account: "215", abroad: Self.germany).isEmpty)
        #expect(detector.observe(callID: "x", account: "215", dialled: "0035315551234", at: Self.at(day: 29, hour: 11),
                                 classification: Self.ireland).isEmpty)
        let night = detector.observe(callID: "y", account: "215", dialled: "00390612345", at: Self.at(day: 30, hour: 3),
                                     classification: Classification(numberClass: .international, e164: "+390612345", countryCode: "39"))
        #expect(night.map(\.severity) == [.warning], "\(night)")
        #expect(night.first?.detail.contains("outside its usual hours") == true)

        // A never-abroad account's first call abroad, in its hours: a warning.
        var quiet = BaselineDetector(home: "44", timeZone: Self.utc)
        _ = Self.office(&quiet, account: "300")
        let abroad = quiet.observe(callID: "z", account: "300", dialled: "004930123456", at: Self.at(day: 29, hour: 14), classification: Self.germany)
        #expect(abroad.map(\.severity) == [.warning])
    }

    @Test("an account with less than 14 days or 20 calls of history is left to the thresholds")
    func youngAccounts() {
        var detector = BaselineDetector(home: "44", timeZone: Self.utc)
        _ = Self.office(&detector, account: "new", days: 10)
        #expect(detector.observe(callID: "p", account: "new", dialled: "0037190000001", at: Self.at(day: 10, hour: 3),
                                 classification: Self.latviaPremium).isEmpty)
    }

    @Test("an hour far busier than the account's usual for it stands out; a busy account's usual bursts do not")
    func volume() {
        var detector = BaselineDetector(home: "44", timeZone: Self.utc)
        _ = Self.office(&detector, account: "quiet")
        var alarms: [FraudAlarm] = []
        for index in 0..<14 {
            alarms += detector.observe(callID: "v-\(index)", account: "quiet", dialled: "01632960123",
                                       at: Self.at(day: 30, hour: 13, minute: index * 4), classification: Self.national)
        }
        #expect(alarms.contains { $0.rule == .volumeAnomaly }, "14 calls in an hour whose usual is none")
        #expect(alarms.filter { $0.rule == .volumeAnomaly }.first?.detail.contains("against a usual 0.0 for that hour of the week") == true)

        // A sales desk: 40 calls every weekday hour from 9 to 17 for four weeks; 45 in one hour is its normal.
        var sales = BaselineDetector(home: "44", timeZone: Self.utc)
        for day in 0..<28 where day % 7 < 5 {
            for hour in 9..<17 {
                for index in 0..<40 {
                    _ = sales.observe(callID: "s", account: "sales", dialled: "01632960123", at: Self.at(day: day, hour: hour, minute: index),
                                      classification: Self.national)
                }
            }
        }
        var busy: [FraudAlarm] = []
        for index in 0..<45 {
            busy += sales.observe(callID: "b-\(index)", account: "sales", dialled: "01632960123", at: Self.at(day: 29, hour: 10, minute: index),
                                  classification: Self.national)
        }
        #expect(busy.isEmpty, "\(busy.first?.detail ?? "")")
    }

    @Test("premium calls repeated over two days, one or two an hour, are a slow run; an account that calls premium daily is not")
    func slowRun() {
        var detector = BaselineDetector(home: "44", timeZone: Self.utc)
        _ = Self.office(&detector, account: "victim")
        var alarms: [FraudAlarm] = []
        for index in 0..<8 {
            // Every 6 hours, national premium (no first-destination after the first, as it is learned a day later).
            alarms += detector.observe(callID: "r-\(index)", account: "victim", dialled: "09098790123",
                                       at: Self.at(day: 29, hour: 1).addingTimeInterval(Double(index) * 6 * 3_600), classification: Self.ukPremium)
        }
        let runs = alarms.filter { $0.rule == .slowRun }
        #expect(!runs.isEmpty && runs.allSatisfy { $0.severity == .critical })
        #expect(runs.first?.value == 6, "the run is reported from its sixth call")
        #expect(runs.first?.detail.contains("made 6 premium-rate or high-risk calls over 30 hours") == true, "\(runs.first?.detail ?? "")")

        var habit = BaselineDetector(home: "44", timeZone: Self.utc)
        #expect(Self.office(&habit, account: "tipster", abroad: Self.ukPremium).isEmpty)
        var habitual: [FraudAlarm] = []
        for index in 0..<8 {
            habitual += habit.observe(callID: "t-\(index)", account: "tipster", dialled: "09098790123",
                                      at: Self.at(day: 29, hour: 9).addingTimeInterval(Double(index) * 3 * 3_600), classification: Self.ukPremium)
        }
        #expect(!habitual.contains { $0.rule == .slowRun }, "\(habitual.map(\.detail))")
    }

    @Test("an operator's allowance lets the account's first call there through unflagged; a withdrawn one counts again")
    func allowances() {
        var detector = BaselineDetector(home: "44", timeZone: Self.utc)
        _ = Self.office(&detector, account: "3021")
        detector.setAllowances([(account: "3021", destination: "+371"), (account: "3021", destination: "premium")])
        #expect(!detector.observe(callID: "a", account: "3021", dialled: "0037190000001", at: Self.at(day: 29, hour: 10),
                                  classification: Self.latviaPremium).contains { $0.rule == .firstDestination })
        var other = BaselineDetector(home: "44", timeZone: Self.utc)
        _ = Self.office(&other, account: "3021")
        other.setAllowances([(account: "3021", destination: "+371")])
        other.setAllowances([])
        #expect(other.observe(callID: "b", account: "3021", dialled: "0037190000001", at: Self.at(day: 29, hour: 10),
                              classification: Self.latviaPremium).contains { $0.rule == .firstDestination })
    }

    @Test("when calls are held, a first destination stays one until it is allowed: a retry the next day is held again")
    func heldUntilAllowed() {
        var detector = BaselineDetector(home: "44", timeZone: Self.utc)
        detector.holdsUntilAllowed = true
        _ = Self.office(&detector, account: "3021")
        for day in [29, 31] {
            let alarms = detector.observe(callID: "r-\(day)", account: "3021", dialled: "0037190000001", at: Self.at(day: day, hour: 10),
                                          classification: Self.latviaPremium)
            #expect(alarms.contains { $0.rule == .firstDestination && $0.severity == .critical }, "day \(day)")
        }
        detector.setAllowances([(account: "3021", destination: "+371"), (account: "3021", destination: "premium")])
        #expect(!detector.observe(callID: "r-32", account: "3021", dialled: "0037190000001", at: Self.at(day: 32, hour: 10),
                                  classification: Self.latviaPremium).contains { $0.rule == .firstDestination })
    }

    @Test("a day's own calls never make that day's normal: a burst on a mature account is still warned about")
    func peaksAreCompletedDays() {
        var baseline = AccountBaseline()
        var clock = LocalClock(timeZone: Self.utc)
        for day in 0..<3 {
            for index in 0..<5 {
                let time = Self.at(day: day, hour: 10, minute: index)
                baseline.learn(at: time, moment: clock.moment(time), classification: Self.germany, home: "44")
            }
        }
        #expect(baseline.peakCallsPerDay == 5 && baseline.peakInternationalPerHour == 5, "days 0 and 1 are over")
        for index in 0..<40 {
            let time = Self.at(day: 3, hour: 11, minute: index)
            baseline.learn(at: time, moment: clock.moment(time), classification: Self.germany, home: "44")
        }
        #expect(baseline.peakCallsPerDay == 5 && baseline.peakInternationalPerHour == 5, "today's burst is not yet normal")
    }

    /// A probing alarm of the default thresholds (warning at 4 short calls in a row, critical at 8).
    static func probing(_ account: String, run: Int, severity: FraudSeverity, at time: Date) -> FraudAlarm {
        FraudAlarm(rule: .shortCalls, severity: severity, scope: .account, account: account, value: Double(run), limit: severity == .critical ? 8 : 4,
                   windowStart: time.addingTimeInterval(-600), windowEnd: time, callID: "p", detail: "sequential short calls")
    }

    @Test("probing fed by the baseline: short calls in a row are normal for a line-testing account, not for an office; a critical run is never excused")
    func probingAgainstTheAccountsNormal() {
        var detector = BaselineDetector(home: "44", timeZone: Self.utc)
        _ = Self.office(&detector, account: "office")
        _ = Self.office(&detector, account: "tester")
        // Each weekday the tester's line check: six answered calls of 3 s to one range, a minute apart.
        for day in 0..<28 where day % 7 < 5 {
            for index in 0..<6 {
                detector.ended(account: "tester", at: Self.at(day: day, hour: 9, minute: index), billableSeconds: 3,
                               answeredDestination: "+441632960\(100 + index)")
            }
        }
        // The office's answered calls are minutes long; unanswered ones say nothing about runs.
        for day in 0..<28 where day % 7 < 5 {
            detector.ended(account: "office", at: Self.at(day: day, hour: 10, minute: 5), billableSeconds: 240,
                           answeredDestination: "+441632960123")
            detector.ended(account: "office", at: Self.at(day: day, hour: 11, minute: 35), billableSeconds: 0)
        }
        #expect(detector.baselines["tester"]?.peakShortCallRun == 6)
        #expect(detector.baselines["office"]?.peakShortCallRun == 0)
        let time = Self.at(day: 29, hour: 9, minute: 30)
        #expect(detector.isWithinNormal(Self.probing("tester", run: 5, severity: .warning, at: time), at: time), "the tester's usual run")
        #expect(!detector.isWithinNormal(Self.probing("office", run: 4, severity: .warning, at: time), at: time),
                "four short calls in a row are unheard of for the office")
        #expect(!detector.isWithinNormal(Self.probing("tester", run: 8, severity: .critical, at: time), at: time), "critical is never raised")
        #expect(!detector.isWithinNormal(Self.probing("tester", run: 8, severity: .warning, at: time), at: time), "beyond its normal and the margin")
    }

    @Test("a run of short calls counts calls to one prefix within the hour; a long call elsewhere ends it, and today's run is not yet normal")
    func shortCallRuns() {
        var baseline = AccountBaseline()
        func end(_ day: Int, _ minute: Int, seconds: TimeInterval, _ destination: String?) {
            baseline.learnEnd(seconds: seconds, day: day, at: Self.at(day: day, hour: 9, minute: minute), destination: destination)
        }
        end(0, 0, seconds: 3, "+441632960001")
        end(0, 1, seconds: 3, "+441632960002")
        end(0, 2, seconds: 200, "+441632960003")  // long, same prefix: the run goes on
        end(0, 3, seconds: 3, "+441632960004")
        end(0, 4, seconds: 200, "+33123456789")  // long, elsewhere: the run ends
        end(0, 5, seconds: 3, "+441632960005")
        end(0, 6, seconds: 3, "+441632960006")
        end(0, 70, seconds: 3, "+441632960007")  // more than an hour after: a new run
        #expect(baseline.peakShortCallRun == 0, "day 0 is not over")
        end(1, 0, seconds: 0, nil)
        #expect(baseline.peakShortCallRun == 3)
    }

    @Test("the Poisson threshold: the smallest count unlikely at the significance given", arguments: [
        (0.5, 1e-6, 8), (2.0, 1e-6, 13), (40.0, 1e-6, 74),
    ])
    func poisson(mean: Double, significance: Double, expected: Int) {
        #expect(BaselineDetector.poissonThreshold(mean: mean, significance: significance) == expected)
    }
}
