import Testing
@testable import TollgateConfig

@Suite("fraud policy configuration")
struct FraudPolicyConfigTests {
    static let base = FraudConfigTests.base

    @Test("Defaults: national class for unknown extensions, documented account and global levels, 403 with suspension")
    func defaults() throws {
        let fraud = try TollgateConfig(yaml: Self.base).fraud
        #expect(fraud.enabled)
        #expect(fraud.defaultClassOfService == "national")
        #expect(fraud.thresholds == .accountDefaults)
        #expect(fraud.global == .globalDefaults)
        #expect(fraud.thresholds.callsPerMinute == FraudConfig.Level(warning: 6, critical: 12))
        #expect(fraud.onCritical == FraudConfig.CriticalAction(status: 403, suspend: true))
        #expect(fraud.afterHours.windows.isEmpty)
        #expect(fraud.identityHeaders == ["P-Asserted-Identity", "Remote-Party-ID"])
    }

    @Test("Every key of the section is read: classes, groups with overrides, thresholds, after-hours windows")
    func everyKey() throws {
        let yaml = Self.base + """
            fraud:
              enabled: true
              classes_of_service:
                sales:
                  allow: [national, mobile, international]
                  countries: ["33", "+49"]
              default_class_of_service: internal
              thresholds:
                calls_per_minute: { warning: 3, critical: 5 }
                concurrent_calls: { critical: 2 }
                calls_per_day: off
                short_calls: { warning: 2, critical: 4, max_seconds: 8, prefix_digits: 5, window: 600 }
              global:
                minutes_per_day: { warning: 100, critical: 200 }
              groups:
                - name: sales
                  accounts: ["200-219", "3*"]
                  class_of_service: sales
                  thresholds:
                    calls_per_minute: { critical: 9 }
              after_hours:
                time_zone: Europe/London
                action: alarm
                classes: [premium]
                windows:
                  - days: [mon-fri]
                    from: "19:00"
                    to: "07:00"
                  - days: [sat, sun]
                    from: "00:00"
                    to: "24:00"
              on_critical: { status: 603, suspend: false }
              identity_headers: [X-Account, P-Asserted-Identity]
              max_call_duration: 7200

            """
        let fraud = try TollgateConfig(yaml: yaml).fraud
        #expect(fraud.classesOfService["sales"] == FraudConfig.ClassOfService(allow: ["national", "mobile", "international"], countries: ["33", "+49"]))
        #expect(fraud.defaultClassOfService == "internal")
        #expect(fraud.thresholds.callsPerMinute == FraudConfig.Level(warning: 3, critical: 5))
        #expect(fraud.thresholds.concurrentCalls == FraudConfig.Level(critical: 2), "a level written replaces the default whole")
        #expect(fraud.thresholds.callsPerDay == .off)
        #expect(fraud.thresholds.shortCalls == FraudConfig.ShortCalls(level: FraudConfig.Level(warning: 2, critical: 4), maxSeconds: 8, prefixDigits: 5, window: 600))
        #expect(fraud.global.minutesPerDay == FraudConfig.Level(warning: 100, critical: 200))
        #expect(fraud.global.callsPerMinute == FraudConfig.Thresholds.globalDefaults.callsPerMinute)
        let group = try #require(fraud.groups.first)
        #expect(group.name == "sales" && group.accounts == ["200-219", "3*"] && group.classOfService == "sales")
        #expect(group.thresholds?.callsPerMinute == FraudConfig.Level(critical: 9))
        #expect(group.thresholds?.concurrentCalls == FraudConfig.Level(critical: 2), "a group inherits the section's other levels")
        #expect(fraud.afterHours.timeZone == "Europe/London")
        #expect(fraud.afterHours.action == .alarm)
        #expect(fraud.afterHours.classes == ["premium"])
        #expect(fraud.afterHours.windows == [
            FraudConfig.TimeWindow(days: [.mon, .tue, .wed, .thu, .fri], from: 1140, to: 420),
            FraudConfig.TimeWindow(days: [.sat, .sun], from: 0, to: 1440),
        ])
        #expect(fraud.onCritical == FraudConfig.CriticalAction(status: 603, suspend: false))
        #expect(fraud.identityHeaders == ["X-Account", "P-Asserted-Identity"])
        #expect(fraud.maxCallDuration == 7200)
    }

    @Test("Group patterns match exact names, same-length number ranges and prefixes")
    func groupPatterns() {
        let group = FraudConfig.AccountGroup(name: "g", accounts: ["200-249", "300", "4*"], classOfService: "national")
        for account in ["200", "249", "300", "4", "4711"] { #expect(group.contains(account), "\(account)") }
        for account in ["199", "250", "2000", "0200", "301", "30", "x4"] { #expect(!group.contains(account), "\(account)") }
    }

    @Test("Bad fraud policy values are reported with their line", arguments: [
        ("fraud:\n  default_class_of_service: everything\n", 2, "fraud.default_class_of_service"),
        ("fraud:\n  classes_of_service:\n    x:\n      allow: [national, gold]\n", 4, "fraud.classes_of_service.x.allow[1]"),
        ("fraud:\n  classes_of_service:\n    x:\n      allow: [national]\n      countries: [\"0033\"]\n", 5, "fraud.classes_of_service.x.countries[0]"),
        ("fraud:\n  classes_of_service:\n    x:\n      countries: [\"33\"]\n", 4, "fraud.classes_of_service.x.allow"),
        ("fraud:\n  groups:\n    - name: a\n      accounts: [\"300-29\"]\n      class_of_service: national\n", 4, "fraud.groups[0].accounts[0]"),
        ("fraud:\n  groups:\n    - name: a\n      accounts: [\"2*0\"]\n      class_of_service: national\n", 4, "fraud.groups[0].accounts[0]"),
        ("fraud:\n  groups:\n    - name: a\n      accounts: [\"200\"]\n      class_of_service: vip\n", 5, "fraud.groups[0].class_of_service"),
        ("fraud:\n  groups:\n    - name: a\n      accounts: [\"200\"]\n", 3, "fraud.groups[0].class_of_service"),
        ("fraud:\n  thresholds:\n    calls_per_minute: { warning: 9, critical: 3 }\n", 3, "fraud.thresholds.calls_per_minute.warning"),
        ("fraud:\n  thresholds:\n    calls_per_minute: { warning: -1 }\n", 3, "fraud.thresholds.calls_per_minute.warning"),
        ("fraud:\n  thresholds:\n    calls_per_hour: { warning: 1 }\n", 3, "fraud.thresholds.calls_per_hour"),
        ("fraud:\n  thresholds:\n    short_calls: { prefix_digits: 0 }\n", 3, "fraud.thresholds.short_calls.prefix_digits"),
        ("fraud:\n  global:\n    concurrent_calls: { critical: many }\n", 3, "fraud.global.concurrent_calls.critical"),
        ("fraud:\n  after_hours:\n    time_zone: Mars/Olympus\n", 3, "fraud.after_hours.time_zone"),
        ("fraud:\n  after_hours:\n    action: warn\n", 3, "fraud.after_hours.action"),
        ("fraud:\n  after_hours:\n    classes: [premium, cheap]\n", 3, "fraud.after_hours.classes[1]"),
        ("fraud:\n  after_hours:\n    windows:\n      - { days: [mon], from: \"25:00\", to: \"07:00\" }\n", 4, "fraud.after_hours.windows[0].from"),
        ("fraud:\n  after_hours:\n    windows:\n      - { days: [funday], from: \"19:00\", to: \"07:00\" }\n", 4, "fraud.after_hours.windows[0].days[0]"),
        ("fraud:\n  after_hours:\n    windows:\n      - { days: [mon], from: \"19:00\", to: \"19:00\" }\n", 4, "fraud.after_hours.windows[0].to"),
        ("fraud:\n  after_hours:\n    windows:\n      - { days: [mon], to: \"07:00\" }\n", 4, "fraud.after_hours.windows[0].from"),
        ("fraud:\n  on_critical: { status: 200 }\n", 2, "fraud.on_critical.status"),
        ("fraud:\n  identity_headers: [\"P Asserted\"]\n", 2, "fraud.identity_headers[0]"),
        ("fraud:\n  max_call_duration: 0\n", 2, "fraud.max_call_duration"),
    ])
    func badValues(yaml: String, line: Int, path: String) {
        expectConfigError(base: Self.base, yaml: yaml, line: line, path: path)
    }
}
