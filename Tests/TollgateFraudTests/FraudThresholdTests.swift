import Foundation
import Testing
import TollgateConfig
@testable import TollgateFraud
import TollgateModel

@Suite("fraud: thresholds")
struct FraudThresholdTests {
    typealias T = FraudTestSupport
    static let national = "01632960123"

    @Test("calls per minute: the level allows n calls in 60 s; n+1 warns or rejects, and a call 60 s old no longer counts")
    func callsPerMinute() {
        var config = T.quietConfig()
        config.thresholds.callsPerMinute = FraudConfig.Level(warning: 2, critical: 3)
        var engine = T.engine(config)
        let first = engine.begin(T.attempt("201", Self.national, at: T.noon))
        #expect(first.allowed && first.alarms.isEmpty)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 10)).alarms.isEmpty)
        let third = engine.begin(T.attempt("201", Self.national, at: T.noon + 20))
        #expect(third.allowed)
        #expect(third.alarms.map(\.severity) == [.warning])
        #expect(third.alarms.first?.value == 3 && third.alarms.first?.limit == 2)
        // At +60 s the first call has left the window: 3 in the window again, a warning only.
        let fourth = engine.begin(T.attempt("201", Self.national, at: T.noon + 60))
        #expect(fourth.allowed, "a call exactly 60 s older no longer counts")
        let fifth = engine.begin(T.attempt("201", Self.national, at: T.noon + 61))
        #expect(fifth.rejectStatus == 403)
        #expect(fifth.critical?.rule == .callsPerMinute)
        #expect(fifth.critical?.value == 4 && fifth.critical?.limit == 3)
        #expect(fifth.critical?.windowStart == T.noon + 10)
        #expect(fifth.suspendedAccount)
        #expect(engine.suspensions["201"]?.rule == "calls-per-minute")
        // Suspended: even a quiet minute later the account is refused until resumed.
        let later = engine.begin(T.attempt("201", Self.national, at: T.noon + 3600))
        #expect(later.critical?.rule == .suspended)
        let resumed = engine.resume(account: "201")
        #expect(resumed)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 3601)).allowed)
        #expect(engine.begin(T.attempt("202", Self.national, at: T.noon + 61)).allowed, "other accounts are unaffected")
    }

    @Test("without suspension on critical, a rejected account may call again once the window frees")
    func noSuspension() {
        var config = T.quietConfig()
        config.thresholds.callsPerMinute = FraudConfig.Level(critical: 1)
        config.onCritical.suspend = false
        var engine = T.engine(config)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon)).allowed)
        let second = engine.begin(T.attempt("201", Self.national, at: T.noon + 1))
        #expect(!second.allowed && !second.suspendedAccount)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 60)).allowed, "rejected calls are not counted")
    }

    @Test("concurrent calls: the n+1th call at once is rejected; ending one lets the next through")
    func concurrentCalls() {
        var config = T.quietConfig()
        config.thresholds.concurrentCalls = FraudConfig.Level(critical: 2)
        config.onCritical.suspend = false
        var engine = T.engine(config)
        let a = T.attempt("201", Self.national, at: T.noon, callID: "a")
        let b = T.attempt("201", Self.national, at: T.noon + 1, callID: "b")
        #expect(engine.begin(a).allowed && engine.begin(b).allowed)
        let third = engine.begin(T.attempt("201", Self.national, at: T.noon + 2))
        #expect(third.critical?.rule == .concurrentCalls && third.critical?.value == 3)
        engine.end(callID: "a", at: T.noon + 3)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 4, callID: "c")).allowed)
    }

    @Test("a call that ends twice, or an end for a call never begun, does not drive counters negative")
    func doubleEndIsHarmless() {
        var config = T.quietConfig()
        config.thresholds.concurrentCalls = FraudConfig.Level(critical: 1)
        var engine = T.engine(config)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon, callID: "a")).allowed)
        engine.answer(callID: "a", at: T.noon + 1)
        engine.end(callID: "a", at: T.noon + 61)
        engine.end(callID: "a", at: T.noon + 62)
        engine.end(callID: "never", at: T.noon + 62)
        engine.answer(callID: "never", at: T.noon + 62)
        let snapshot = engine.snapshot(account: "201", at: T.noon + 63)
        #expect(snapshot.concurrentCalls == 0)
        #expect(snapshot.minutesToday == 1)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 64, callID: "b")).allowed)
        #expect(!engine.begin(T.attempt("201", Self.national, at: T.noon + 65)).allowed, "b is still counted exactly once")
    }

    @Test("a begin repeated with the same Call-ID is counted once")
    func repeatedBegin() {
        var config = T.quietConfig()
        config.thresholds.concurrentCalls = FraudConfig.Level(critical: 1)
        var engine = T.engine(config)
        let attempt = T.attempt("201", Self.national, at: T.noon, callID: "same")
        #expect(engine.begin(attempt).allowed)
        #expect(engine.begin(attempt).allowed)
        #expect(engine.snapshot(account: "201", at: T.noon).concurrentCalls == 1)
    }

    @Test("a call that never ends stops counting after max_call_duration")
    func staleCallsExpire() {
        var config = T.quietConfig()
        config.thresholds.concurrentCalls = FraudConfig.Level(critical: 1)
        config.maxCallDuration = 3600
        var engine = T.engine(config)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon, callID: "lost")).allowed)
        #expect(engine.expire(at: T.noon + 3599).isEmpty)
        #expect(engine.expire(at: T.noon + 3601) == ["lost"])
        #expect(engine.callsInProgress == 0)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 3602)).allowed)
    }

    @Test("calls per day count by local calendar day in the configured time zone")
    func callsPerDay() {
        var config = T.quietConfig()
        config.thresholds.callsPerDay = FraudConfig.Level(critical: 2)
        config.onCritical.suspend = false
        config.afterHours.timeZone = "America/New_York"
        var engine = T.engine(config)
        // 23:30 and 23:50 New York time on the 24th (04:30 and 04:50 UTC on the 25th).
        #expect(engine.begin(T.attempt("201", Self.national, at: T.time("2026-11-25T04:30:00Z"))).allowed)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.time("2026-11-25T04:50:00Z"))).allowed)
        let third = engine.begin(T.attempt("201", Self.national, at: T.time("2026-11-25T04:59:00Z")))
        #expect(third.critical?.rule == .callsPerDay && third.critical?.value == 3)
        // 00:01 in New York: a new day.
        #expect(engine.begin(T.attempt("201", Self.national, at: T.time("2026-11-25T05:01:00Z"))).allowed)
    }

    @Test("international, premium and high-risk calls per hour count only those classes")
    func internationalPerHour() {
        var config = T.quietConfig()
        config.defaultClassOfService = "unrestricted"
        config.thresholds.internationalPerHour = FraudConfig.Level(warning: 1, critical: 2)
        config.onCritical.suspend = false
        var engine = T.engine(config)
        #expect(engine.begin(T.attempt("201", "0033123456789", at: T.noon)).alarms.isEmpty)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 1)).alarms.isEmpty)
        #expect(engine.begin(T.attempt("201", "09098790123", at: T.noon + 2)).alarms.map(\.severity) == [.warning])
        #expect(engine.begin(T.attempt("201", "00252612345678", at: T.noon + 3)).critical?.rule == .internationalPerHour)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 4)).allowed, "national calls are not limited by it")
        #expect(engine.begin(T.attempt("201", "0033123456789", at: T.noon + 3600)).allowed, "the first has left the hour")
    }

    @Test("probing: sequential short calls to one prefix warn, then suspend, and the long call that follows is refused")
    func shortCallProbing() {
        var config = T.quietConfig()
        config.defaultClassOfService = "unrestricted"
        config.thresholds.shortCalls = FraudConfig.ShortCalls(level: FraudConfig.Level(warning: 2, critical: 3), maxSeconds: 10, prefixDigits: 6)
        var engine = T.engine(config)
        var time = T.noon
        var raised: [[FraudSeverity]] = []
        for index in 0..<4 {
            let id = "probe-\(index)"
            #expect(engine.begin(T.attempt("201", "0025261234567\(index)", at: time, callID: id)).allowed)
            engine.answer(callID: id, at: time + 2)
            raised.append(engine.end(callID: id, at: time + 7).map(\.severity))
            time += 60
        }
        #expect(raised == [[], [], [.warning], [.critical]])
        #expect(engine.suspensions["201"]?.rule == "short-calls")
        let long = engine.begin(T.attempt("201", "00252612345699", at: time))
        #expect(!long.allowed)
    }

    @Test("probing: a short call to another prefix restarts the run; a call of max_seconds is not short")
    func shortCallRunResets() {
        var config = T.quietConfig()
        config.thresholds.shortCalls = FraudConfig.ShortCalls(level: FraudConfig.Level(warning: 1), maxSeconds: 10, prefixDigits: 4)
        var engine = T.engine(config)
        func call(_ number: String, seconds: Double, at time: Date) -> [FraudAlarm] {
            let attempt = T.attempt("201", number, at: time)
            _ = engine.begin(attempt)
            engine.answer(callID: attempt.callID, at: time)
            return engine.end(callID: attempt.callID, at: time + seconds)
        }
        #expect(call("01632960001", seconds: 5, at: T.noon).isEmpty)
        #expect(call("01632960002", seconds: 10, at: T.noon + 20).isEmpty, "10 s is not shorter than max_seconds")
        #expect(call("01632960003", seconds: 9.9, at: T.noon + 40).first?.value == 2)
        #expect(call("07700900001", seconds: 3, at: T.noon + 60).isEmpty, "another prefix starts a new run")
        #expect(engine.snapshot(account: "201", at: T.noon + 70).shortCallPrefix == "+4477")
    }

    @Test("minutes per day include calls in progress, and the call crossing the level suspends the account at its end")
    func minutesPerDay() {
        var config = T.quietConfig()
        config.thresholds.minutesPerDay = FraudConfig.Level(warning: 5, critical: 10)
        var engine = T.engine(config)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon, callID: "long")).allowed)
        engine.answer(callID: "long", at: T.noon)
        #expect(engine.snapshot(account: "201", at: T.noon + 330).minutesToday == 5.5)
        let during = engine.begin(T.attempt("201", Self.national, at: T.noon + 660, callID: "second"))
        #expect(during.critical?.rule == .minutesPerDay, "11 minutes in progress already exceed 10")
        let alarms = engine.end(callID: "long", at: T.noon + 720)
        #expect(alarms.map(\.severity) == [.critical])
        #expect(alarms.first?.value == 12)
        #expect(engine.suspensions["201"]?.rule == "minutes-per-day")
    }

    @Test("global thresholds add up all accounts and reject without suspending anyone")
    func globalThresholds() {
        var config = T.quietConfig()
        config.global.concurrentCalls = FraudConfig.Level(warning: 1, critical: 2)
        var engine = T.engine(config)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon)).alarms.isEmpty)
        let second = engine.begin(T.attempt("202", Self.national, at: T.noon))
        #expect(second.allowed && second.alarms.first?.scope == .global)
        let third = engine.begin(T.attempt("203", Self.national, at: T.noon))
        #expect(third.critical?.scope == .global && third.critical?.rule == .concurrentCalls)
        #expect(third.critical?.detail.contains("all accounts together") == true)
        #expect(!third.suspendedAccount && engine.suspensions.isEmpty)
    }

    @Test("offline replay reports critical levels but counts every call and suspends nobody")
    func offlineCountsEverything() {
        var config = T.quietConfig()
        config.thresholds.callsPerMinute = FraudConfig.Level(critical: 1)
        var engine = T.engine(config, enforcing: false)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon)).alarms.isEmpty)
        let second = engine.begin(T.attempt("201", Self.national, at: T.noon + 1))
        #expect(second.allowed && second.critical?.value == 2)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 2)).critical?.value == 3)
        #expect(engine.suspensions.isEmpty)
    }

    @Test("an operator's reset zeroes the windows and day counters but keeps calls in progress")
    func resetCounters() {
        var config = T.quietConfig()
        config.thresholds.callsPerMinute = FraudConfig.Level(critical: 1)
        config.onCritical.suspend = false
        var engine = T.engine(config)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon, callID: "a")).allowed)
        #expect(!engine.begin(T.attempt("201", Self.national, at: T.noon + 1)).allowed)
        engine.resetCounters(account: "201")
        let snapshot = engine.snapshot(account: "201", at: T.noon + 2)
        #expect(snapshot.callsLastMinute == 0 && snapshot.callsToday == 0 && snapshot.concurrentCalls == 1)
        #expect(engine.begin(T.attempt("201", Self.national, at: T.noon + 2)).allowed)
    }

    @Test("windows keep a bounded number of times however many calls arrive")
    func windowsAreBounded() {
        var window = TimestampWindow(length: 60, capacity: 13)
        for index in 0..<10_000 { window.record(T.noon + Double(index) * 0.001) }
        #expect(window.count(at: T.noon + 10) == 13)
        #expect(window.count(at: T.noon + 200) == 0)
    }

    @Test("idle accounts are forgotten beyond max_accounts; accounts with calls in progress are kept")
    func accountsAreBounded() {
        var engine = T.engine(T.quietConfig())
        engine.maxAccounts = 100
        #expect(engine.begin(T.attempt("keeper", Self.national, at: T.noon, callID: "keep")).allowed)
        for index in 0..<1000 {
            let attempt = T.attempt("acct\(index)", Self.national, at: T.noon + Double(index))
            _ = engine.begin(attempt)
            engine.end(callID: attempt.callID, at: T.noon + Double(index))
        }
        #expect(engine.trackedAccounts.count <= 101)
        #expect(engine.trackedAccounts.contains("keeper"))
    }
}

@Suite("fraud: alarm texts")
struct FraudAlarmTextTests {
    @Test("values print as whole numbers when whole, else with one decimal; times as HH:MM", arguments: [
        (12.0, "12"), (5.5, "5.5"), (5.55, "5.6"), (0.04, "0.0"), (240.25, "240.3"), (-1.5, "-1.5"),
    ])
    func numbers(value: Double, text: String) {
        #expect(FraudEngine.number(value) == text)
    }

    @Test("clock times are zero-padded")
    func clock() {
        #expect(FraudEngine.clockText(0) == "00:00")
        #expect(FraudEngine.clockText(7 * 60 + 5) == "07:05")
        #expect(FraudEngine.clockText(23 * 60 + 59) == "23:59")
    }
}

@Suite("fraud: counters restored from CDRs")
struct FraudRestoreTests {
    typealias T = FraudTestSupport

    static func record(_ id: String, account: String = "201", to number: String = "01632960123", start: Date, talk: Double,
                       direction: CallDetailRecord.Direction = .outbound, disposition: CallDetailRecord.Disposition = .answered) -> CallDetailRecord {
        CallDetailRecord(callID: id, direction: direction, from: account, to: number, account: account, source: "127.0.0.20", start: start,
                         answer: talk > 0 ? start + 2 : nil, end: start + 2 + talk, cause: 200, disposition: disposition)
    }

    @Test("the day's calls and minutes count again after a restart; inbound and refused calls do not")
    func dayCountersRestored() {
        var config = T.quietConfig()
        config.thresholds.callsPerDay = FraudConfig.Level(critical: 3)
        config.thresholds.minutesPerDay = FraudConfig.Level(critical: 10)
        var engine = T.engine(config)
        engine.restore([
            Self.record("a", start: T.noon - 3600, talk: 240),
            Self.record("b", start: T.noon - 1800, talk: 120),
            Self.record("in", account: "201", start: T.noon - 1700, talk: 60, direction: .inbound),
            Self.record("refused", start: T.noon - 1600, talk: 0, disposition: .rejected),
        ])
        let snapshot = engine.snapshot(account: "201", at: T.noon)
        #expect(snapshot.callsToday == 2 && snapshot.minutesToday == 6 && snapshot.concurrentCalls == 0)
        #expect(engine.begin(T.attempt("201", "01632960123", at: T.noon)).allowed)
        let fourth = engine.begin(T.attempt("201", "01632960123", at: T.noon + 1))
        #expect(fourth.critical?.rule == .callsPerDay, "two restored calls and two new ones exceed 3")
        #expect(engine.suspensions["201"] != nil)
    }

    @Test("restoring never refuses or suspends, even when the history crossed a critical level")
    func restoreDoesNotAct() {
        var config = T.quietConfig()
        config.thresholds.callsPerMinute = FraudConfig.Level(critical: 1)
        var engine = T.engine(config)
        engine.restore((0..<5).map { Self.record("burst-\($0)", start: T.noon - 600 + Double($0), talk: 5) })
        #expect(engine.suspensions.isEmpty)
        #expect(engine.snapshot(account: "201", at: T.noon).callsToday == 5)
        #expect(engine.begin(T.attempt("201", "01632960123", at: T.noon)).allowed, "the burst is more than a minute old")
    }

    @Test("a run of probing calls continues across a restart")
    func probingRunRestored() {
        var config = T.quietConfig()
        config.defaultClassOfService = "unrestricted"
        config.thresholds.shortCalls = FraudConfig.ShortCalls(level: FraudConfig.Level(critical: 2), maxSeconds: 10, prefixDigits: 6)
        var engine = T.engine(config)
        engine.restore((0..<3).map { Self.record("p\($0)", to: "0025261234567\($0)", start: T.noon - 300 + Double($0) * 60, talk: 4) })
        #expect(engine.snapshot(account: "201", at: T.noon).shortCallRun == 3)
        #expect(!engine.begin(T.attempt("201", "00252612345679", at: T.noon)).allowed)
    }
}

@Suite("fraud: new rules while running")
struct FraudReloadTests {
    typealias T = FraudTestSupport

    @Test("new rules keep calls in progress, windows and suspensions, and apply at the next call")
    func replaceKeepsCounters() throws {
        var config = T.quietConfig()
        config.thresholds.callsPerMinute = FraudConfig.Level(critical: 100)
        var engine = T.engine(config)
        for index in 0..<3 { #expect(engine.begin(T.attempt("201", "01632960123", at: T.noon + Double(index), callID: "up-\(index)")).allowed) }
        engine.suspend(AccountSuspension(account: "666", since: T.noon, rule: "operator", reason: "test"))

        var stricter = config
        stricter.thresholds.callsPerMinute = FraudConfig.Level(critical: 3)
        stricter.thresholds.concurrentCalls = FraudConfig.Level(critical: 3)
        stricter.groups = [FraudConfig.AccountGroup(name: "boss", accounts: ["100"], classOfService: "unrestricted")]
        try engine.replaceConfig(stricter, classifier: T.classifier)

        let fourth = engine.begin(T.attempt("201", "01632960123", at: T.noon + 10))
        #expect(fourth.critical?.rule == .callsPerMinute, "the three calls before the reload still count")
        #expect(engine.snapshot(account: "201", at: T.noon + 10).concurrentCalls == 3)
        engine.end(callID: "up-0", at: T.noon + 11)
        #expect(engine.callsInProgress == 2)
        #expect(engine.suspensions["666"] != nil)
        #expect(engine.begin(T.attempt("100", "09098790123", at: T.noon + 12)).allowed, "a new group's class applies at once")
    }

    @Test("a configuration the engine cannot use is refused and the old rules stay")
    func badConfigRefused() {
        var engine = T.engine(T.quietConfig())
        var broken = T.quietConfig()
        broken.defaultClassOfService = "nosuch"
        #expect(throws: FraudConfigError.unknownClassOfService("nosuch")) { try engine.replaceConfig(broken, classifier: T.classifier) }
        #expect(engine.config.defaultClassOfService == "national")
    }
}
