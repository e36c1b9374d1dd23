import Foundation
import Testing
import TollgateConfig
@testable import TollgateFraud
import TollgateModel

@Suite("fraud: class of service")
struct ClassOfServiceTests {
    typealias T = FraudTestSupport

    @Test("an unknown extension may call national and mobile numbers but not premium, high-risk or international ones")
    func defaultIsNationalOnly() {
        var engine = T.engine(T.quietConfig())
        #expect(engine.begin(T.attempt("201", "01632960123", at: T.noon)).allowed)
        #expect(engine.begin(T.attempt("201", "07700900123", at: T.noon)).allowed)
        #expect(engine.begin(T.attempt("201", "202", at: T.noon)).allowed)
        for number in ["09098790123", "00252612345678", "0033123456789"] {
            let decision = engine.begin(T.attempt("201", number, at: T.noon))
            #expect(decision.rejectStatus == 403, "\(number)")
            #expect(decision.critical?.rule == .classOfService)
            #expect(decision.suspendedAccount == false, "a class-of-service refusal never suspends")
        }
        #expect(engine.suspensions.isEmpty)
    }

    @Test("emergency numbers pass for any account, even a suspended one, and are not counted")
    func emergencyAlwaysPasses() {
        var config = T.quietConfig()
        config.defaultClassOfService = "internal"
        var engine = T.engine(config)
        engine.suspend(AccountSuspension(account: "201", since: T.noon, rule: "operator", reason: "test"))
        for number in ["999", "112"] {
            let decision = engine.begin(T.attempt("201", number, at: T.noon))
            #expect(decision.allowed)
            #expect(decision.alarms.isEmpty)
        }
        #expect(engine.callsInProgress == 0)
    }

    @Test("a group's class of service applies to exact names, ranges and prefixes; others keep the default")
    func groupsMatchPatterns() {
        var config = T.quietConfig()
        config.classesOfService["sales"] = FraudConfig.ClassOfService(allow: ["national", "mobile", "international"], countries: ["33", "49"])
        config.groups = [FraudConfig.AccountGroup(name: "sales", accounts: ["200-219", "300", "4*"], classOfService: "sales")]
        var engine = T.engine(config)
        for account in ["200", "219", "300", "4711"] {
            #expect(engine.begin(T.attempt(account, "0033123456789", at: T.noon)).allowed, "\(account)")
            #expect(engine.classOfService(for: account) == ("sales", "sales"))
        }
        for account in ["220", "2000", "301", "199"] {
            #expect(!engine.begin(T.attempt(account, "0033123456789", at: T.noon)).allowed, "\(account)")
        }
        let spain = engine.begin(T.attempt("200", "0034912345678", at: T.noon))
        #expect(spain.rejectStatus == 403, "a country outside the allowed list is refused")
        #expect(spain.critical?.detail.contains("may not call an international number") == true)
    }

    @Test("the unrestricted class may call premium numbers; the rejection status is configurable")
    func unrestrictedAndStatus() {
        var config = T.quietConfig()
        config.groups = [FraudConfig.AccountGroup(name: "boss", accounts: ["100"], classOfService: "unrestricted")]
        config.onCritical.status = 603
        var engine = T.engine(config)
        #expect(engine.begin(T.attempt("100", "09098790123", at: T.noon)).allowed)
        #expect(engine.begin(T.attempt("101", "09098790123", at: T.noon)).rejectStatus == 603)
    }

    @Test("a number that cannot be read is refused live and ignored offline")
    func unreadableNumbers() {
        var live = T.engine(T.quietConfig())
        let decision = live.begin(T.attempt("201", "alice", at: T.noon))
        #expect(decision.classification == nil)
        #expect(decision.critical?.rule == .classOfService)
        var offline = T.engine(T.quietConfig(), enforcing: false)
        #expect(offline.begin(T.attempt("201", "s", at: T.noon)).alarms.isEmpty)
    }

    @Test("unknown class names in a config built in code are refused")
    func unknownNamesThrow() {
        var config = T.quietConfig()
        config.defaultClassOfService = "everything"
        #expect(throws: FraudConfigError.unknownClassOfService("everything")) {
            _ = try FraudEngine(config: config, classifier: T.classifier)
        }
        config = T.quietConfig()
        config.afterHours.timeZone = "Mars/Olympus"
        #expect(throws: FraudConfigError.unknownTimeZone("Mars/Olympus")) {
            _ = try FraudEngine(config: config, classifier: T.classifier)
        }
    }
}
