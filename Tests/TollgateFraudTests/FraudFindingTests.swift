import Foundation
import Testing
@testable import TollgateFraud

@Suite("fraud findings")
struct FraudFindingTests {
    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    static func alarm(_ rule: FraudRule, _ severity: FraudSeverity, account: String = "201", scope: FraudScope = .account,
                      value: Double, limit: Double, from: Double, to: Double) -> FraudAlarm {
        FraudAlarm(rule: rule, severity: severity, scope: scope, account: account, value: value, limit: limit,
                   windowStart: base + from, windowEnd: base + to, callID: "x", detail: "\(rule.rawValue) \(value) > \(limit)")
    }

    @Test("Consecutive alarms of one rule and account merge: highest severity, widest window, peak value, numbers and lines")
    func merging() {
        var grouper = FraudFindingGrouper()
        grouper.add(Self.alarm(.internationalPerHour, .warning, value: 6, limit: 5, from: 0, to: 600), dialled: "0033142000001", line: 10)
        grouper.add(Self.alarm(.internationalPerHour, .warning, value: 7, limit: 5, from: 0, to: 900), dialled: "0033142000002", line: 11)
        grouper.add(Self.alarm(.internationalPerHour, .critical, value: 11, limit: 10, from: 60, to: 1800), dialled: "0033142000001", line: 16)
        grouper.add(Self.alarm(.internationalPerHour, .warning, account: "202", value: 6, limit: 5, from: 0, to: 600), dialled: "003531", line: 12)
        let findings = grouper.findings
        #expect(findings.count == 2)
        let first = try! #require(findings.first { $0.account == "201" })
        #expect(first.severity == .critical)
        #expect(first.value == 11 && first.limit == 10)
        #expect(first.windowStart == Self.base && first.windowEnd == Self.base + 1800)
        #expect(first.alarmCount == 3)
        #expect(first.numbers == ["0033142000001", "0033142000002"])
        #expect(first.numberCount == 2)
        #expect(first.lines == [10, 11, 16])
        #expect(first.lineCount == 3)
    }

    @Test("A late alarm joins the finding its window falls in, never a later one; alone, it is a finding of its own")
    func lateAlarms() {
        var grouper = FraudFindingGrouper()
        grouper.add(Self.alarm(.internationalPerHour, .critical, value: 12, limit: 10, from: 86_400, to: 90_000), dialled: "0033142000009", line: 90)
        grouper.addLate(Self.alarm(.internationalPerHour, .warning, value: 6, limit: 5, from: 86_000, to: 86_500), dialled: "0033142000001", line: 80)
        grouper.addLate(Self.alarm(.internationalPerHour, .warning, value: 6, limit: 5, from: 0, to: 600), dialled: "0033142000002", line: 2)
        let findings = grouper.findings
        #expect(findings.count == 2)
        #expect(findings.first?.windowStart == Self.base && findings.first?.lines == [2] && findings.first?.severity == .warning)
        #expect(findings.last?.lines == [80, 90] && findings.last?.severity == .critical && findings.last?.windowStart == Self.base + 86_000)
        // The open finding is still the later one: an alarm after it joins it.
        grouper.add(Self.alarm(.internationalPerHour, .warning, value: 7, limit: 5, from: 90_100, to: 90_200), dialled: "", line: 95)
        #expect(grouper.findings.last?.lines == [80, 90, 95])
    }

    @Test("An alarm long after the last one of its rule opens a new finding; other rules never merge")
    func separateFindings() {
        var grouper = FraudFindingGrouper()
        grouper.add(Self.alarm(.afterHours, .warning, value: 120, limit: 0, from: 0, to: 0), dialled: "1", line: 1)
        grouper.add(Self.alarm(.afterHours, .warning, value: 130, limit: 0, from: 600, to: 600), dialled: "2", line: 2)
        grouper.add(Self.alarm(.afterHours, .warning, value: 120, limit: 0, from: 86_400, to: 86_400), dialled: "3", line: 3)
        grouper.add(Self.alarm(.classOfService, .critical, value: 0, limit: 0, from: 600, to: 600), dialled: "2", line: 2)
        let findings = grouper.findings
        #expect(findings.map(\.rule) == [.afterHours, .classOfService, .afterHours])
        #expect(findings.filter { $0.rule == .afterHours }.map(\.lineCount) == [2, 1])
    }

    @Test("Global alarms group across accounts under *")
    func globalScope() {
        var grouper = FraudFindingGrouper()
        grouper.add(Self.alarm(.callsPerDay, .warning, account: "201", scope: .global, value: 5001, limit: 5000, from: 0, to: 100), dialled: "a", line: 1)
        grouper.add(Self.alarm(.callsPerDay, .warning, account: "202", scope: .global, value: 5002, limit: 5000, from: 0, to: 200), dialled: "b", line: 2)
        #expect(grouper.findings.count == 1)
        #expect(grouper.findings[0].account == "*")
        #expect(grouper.findings[0].scope == .global)
    }

    @Test("Lines and numbers are bounded, with their totals")
    func bounded() {
        var grouper = FraudFindingGrouper()
        for line in 1...500 {
            grouper.add(Self.alarm(.callsPerDay, .warning, value: Double(150 + line), limit: 150, from: 0, to: Double(line)),
                        dialled: "01632960\(line)", line: line)
        }
        let finding = grouper.findings[0]
        #expect(finding.lines.count == FraudFinding.maxLines)
        #expect(finding.lineCount == 500)
        #expect(finding.numbers.count == FraudFinding.maxNumbers)
        #expect(finding.numberCount == 500)
        #expect(finding.value == 650)
    }

    @Test("JSON: an array of objects with snake_case keys and ISO 8601 times")
    func jsonShape() throws {
        var grouper = FraudFindingGrouper()
        grouper.add(Self.alarm(.shortCalls, .warning, value: 5, limit: 4, from: 0, to: 300), dialled: "09098790011", line: 7)
        let data = try FraudFinding.json(grouper.findings)
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(array.count == 1)
        let object = array[0]
        #expect(Set(object.keys) == [
            "rule", "account", "severity", "scope", "window_start", "window_end", "value", "limit", "numbers", "number_count",
            "lines", "line_count", "alarm_count", "detail",
        ])
        #expect(object["rule"] as? String == "short-calls")
        #expect(object["severity"] as? String == "warning")
        #expect(object["scope"] as? String == "account")
        #expect(object["window_start"] as? String == "2027-01-15T08:00:00Z")
        #expect(object["window_end"] as? String == "2027-01-15T08:05:00Z")
        #expect(object["numbers"] as? [String] == ["09098790011"])
        #expect(object["lines"] as? [Int] == [7])
        #expect(object["value"] as? Double == 5)
        let decoded = try JSONDecoder.iso8601.decode([FraudFinding].self, from: data)
        #expect(decoded == grouper.findings)
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
