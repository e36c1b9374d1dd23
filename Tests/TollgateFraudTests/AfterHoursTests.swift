import Foundation
import Testing
import TollgateConfig
@testable import TollgateFraud

@Suite("fraud: after-hours windows")
struct AfterHoursTests {
    typealias T = FraudTestSupport

    static func config(action: FraudConfig.AfterHoursAction = .block) -> FraudConfig {
        var config = T.quietConfig()
        config.defaultClassOfService = "unrestricted"
        config.afterHours = FraudConfig.AfterHours(
            timeZone: "Europe/London",
            windows: [
                FraudConfig.TimeWindow(days: [.mon, .tue, .wed, .thu, .fri], from: 19 * 60, to: 7 * 60),
                FraudConfig.TimeWindow(days: [.sat, .sun], from: 0, to: 1440),
            ],
            action: action
        )
        return config
    }

    @Test("international calls inside a window are blocked, by local time, across midnight and at weekends", arguments: [
        // London is UTC+0 in November and UTC+1 in July.
        ("2026-11-24T12:00:00Z", true),   // Tuesday noon
        ("2026-11-24T18:59:59Z", true),   // one second before 19:00
        ("2026-11-24T19:00:00Z", false),  // 19:00 Tuesday
        ("2026-11-25T06:59:00Z", false),  // 06:59 Wednesday, in Tuesday's window
        ("2026-11-25T07:00:00Z", true),   // 07:00 Wednesday
        ("2026-11-28T12:00:00Z", false),  // Saturday
        ("2026-11-30T06:30:00Z", true),   // Monday 06:30: Sunday's window ends at midnight, Monday's starts at 19:00
        ("2026-07-14T18:30:00Z", false),  // 19:30 London summer time
        ("2026-07-14T17:30:00Z", true),   // 18:30 London summer time
    ])
    func blockedByLocalTime(time: String, allowed: Bool) {
        var engine = T.engine(Self.config())
        let decision = engine.begin(T.attempt("201", "0033123456789", at: T.time(time)))
        #expect(decision.allowed == allowed, "\(time)")
        if !allowed { #expect(decision.critical?.rule == .afterHours) }
    }

    @Test("national calls are not touched by the after-hours rule")
    func nationalCallsPass() {
        var engine = T.engine(Self.config())
        #expect(engine.begin(T.attempt("201", "01632960123", at: T.time("2026-11-24T23:00:00Z"))).alarms.isEmpty)
    }

    @Test("with action alarm, the call passes with a warning")
    func alarmOnly() {
        var engine = T.engine(Self.config(action: .alarm))
        let decision = engine.begin(T.attempt("201", "09098790123", at: T.time("2026-11-24T23:00:00Z")))
        #expect(decision.allowed)
        #expect(decision.alarms.map(\.rule) == [.afterHours])
        #expect(decision.alarms.first?.severity == .warning)
        #expect(decision.alarms.first?.detail.contains("23:00 local time") == true)
    }

    @Test("an after-hours block never suspends the account")
    func blockDoesNotSuspend() {
        var engine = T.engine(Self.config())
        let decision = engine.begin(T.attempt("201", "0033123456789", at: T.time("2026-11-24T23:00:00Z")))
        #expect(!decision.allowed && !decision.suspendedAccount)
        #expect(engine.begin(T.attempt("201", "0033123456789", at: T.noon)).allowed)
    }
}
