import Foundation
import Testing
@testable import TollgateFraud

@Suite("Findings ranked by what to look at first")
struct FraudFindingRankingTests {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    static func finding(_ rule: FraudRule, _ account: String, _ severity: FraudSeverity, value: Double = 0, limit: Double = 0,
                        calls: Int = 1, at offset: TimeInterval = 0) -> FraudFinding {
        FraudFinding(rule: rule, scope: .account, account: account, severity: severity, windowStart: start.addingTimeInterval(offset),
                     windowEnd: start.addingTimeInterval(offset + 60), value: value, limit: limit, alarmCount: 1, numbers: [],
                     numberCount: 0, lines: Array(1...calls), lineCount: calls, detail: "")
    }

    @Test("a fraud far past its limit comes before a crowd of earlier class-of-service refusals, and warnings come last")
    func fraudBeforeNoise() {
        var findings = (0..<40).map { Self.finding(.classOfService, "10\($0)", .critical, at: Double($0) * 3600) }
        findings.append(Self.finding(.internationalPerHour, "3021", .warning, value: 9, limit: 5, calls: 9, at: 10))
        findings.append(Self.finding(.internationalPerHour, "3021", .critical, value: 18, limit: 6, calls: 18, at: 200_000))
        findings.append(Self.finding(.callsPerMinute, "4000", .critical, value: 8, limit: 4, calls: 8, at: 150_000))
        let ranked = FraudFinding.ranked(findings)
        #expect(ranked.prefix(2).map(\.account) == ["3021", "4000"], "3× and 2× their limits first")
        #expect(ranked.last?.severity == .warning)
        #expect(ranked[2].rule == .classOfService && ranked[2].account == "100", "then the refusals, with the earliest first")
    }

    @Test("the headline names the rule, the account, how far past its limit and how much else there is")
    func headline() {
        let findings = [
            Self.finding(.classOfService, "201", .critical),
            Self.finding(.concurrentCalls, "3021", .critical, value: 12, limit: 3, calls: 12),
        ]
        #expect(FraudFinding.headline(findings)
            == "look first at concurrent-calls (critical) for account 3021: 12 against a limit of 3, 12 calls; 1 other finding below")
        #expect(FraudFinding.headline([]) == nil)
    }

    @Test("the HTML report's timeline draws the most pressing findings when there are more than it shows")
    func reportTimeline() throws {
        var findings = (0..<60).map { Self.finding(.classOfService, "10\($0)", .critical, at: Double($0) * 60) }
        findings.append(Self.finding(.shortCalls, "7777", .critical, value: 30, limit: 5, calls: 30, at: 90_000))
        var analysis = CDRAnalysis(format: .asterisk, timeZone: "UTC")
        analysis.findings = findings
        let html = CDRReportHTML(analysis: analysis, fileName: "Master.csv").rendered
        let timeline = try #require(html.components(separatedBy: "<h2>Timeline of findings</h2>").last?.components(separatedBy: "</svg>").first)
        #expect(timeline.contains("7777"), "the probing account is drawn though it came last in time")
        #expect(html.contains("look first at short-calls (critical) for account 7777"))
    }
}
