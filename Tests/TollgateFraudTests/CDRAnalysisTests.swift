import Foundation
import Testing
@testable import TollgateFraud

@Suite("CDR analysis of the fixtures")
struct CDRAnalysisTests {
    @Test("A clean month, in Asterisk and FreeSWITCH form, gives no findings with the default thresholds", arguments: [
        ("clean-month-asterisk.csv", CDRFormat.asterisk), ("clean-month-freeswitch.csv", .freeswitch),
    ])
    func cleanMonth(file: String, format: CDRFormat) throws {
        let analysis = try CDRTestSupport.analyze(CDRTestSupport.fixture(file), format: format, config: "clean.yaml")
        #expect(analysis.rows == 2520)
        #expect(analysis.malformedCount == 0)
        #expect(analysis.findings.isEmpty, "\(analysis.findings)")
        #expect(analysis.callsByClass["international"] == 142)
        #expect(analysis.callsByClass.keys.sorted() == ["internal", "international", "mobile", "national"])
        let hours = analysis.callsByHour.values.reduce(Array(repeating: 0, count: 24)) { zip($0, $1).map(+) }
        #expect(hours[0..<8].allSatisfy { $0 == 0 }, "business hours only, in local time")
        #expect(hours.reduce(0, +) == 2520)
        #expect(analysis.topDestinations.count == 10)
    }

    @Test("Both layouts of the same calls give the same totals")
    func layoutsAgree() throws {
        let asterisk = try CDRTestSupport.analyze(CDRTestSupport.fixture("clean-month-asterisk.csv"), format: .asterisk, config: "clean.yaml")
        let freeswitch = try CDRTestSupport.analyze(CDRTestSupport.fixture("clean-month-freeswitch.csv"), format: .freeswitch, config: "clean.yaml")
        #expect(asterisk.callsByClass == freeswitch.callsByClass)
        #expect(asterisk.callsByHour == freeswitch.callsByHour)
        #expect(asterisk.answered == freeswitch.answered)
        #expect(asterisk.topDestinations == freeswitch.topDestinations)
    }

    @Test("A night-time burst of international calls trips after-hours and international-per-hour for that account", arguments: [
        ("night-burst-asterisk.csv", CDRFormat.asterisk), ("night-burst-freeswitch.csv", .freeswitch),
    ])
    func nightBurst(file: String, format: CDRFormat) throws {
        let analysis = try CDRTestSupport.analyze(CDRTestSupport.fixture(file), format: format, config: "night.yaml")
        let rules = analysis.findings.map { "\($0.rule.rawValue) \($0.account) \($0.severity.rawValue)" }
        #expect(rules == ["after-hours 212 warning", "international-per-hour 212 critical"])
        let afterHours = analysis.findings[0]
        #expect(afterHours.lineCount == 12)
        #expect(afterHours.numberCount == 12)
        let perHour = analysis.findings[1]
        #expect(perHour.value == 12 && perHour.limit == 10)
        #expect(perHour.windowStart == CDRTestSupport.date("2026-11-12T02:00:05Z"))
    }

    @Test("Without the after-hours window the same burst only trips international-per-hour")
    func nightBurstWithoutWindow() throws {
        let analysis = try CDRTestSupport.analyze(CDRTestSupport.fixture("night-burst-asterisk.csv"), format: .asterisk, config: "clean.yaml")
        #expect(analysis.findings.map(\.rule) == [.internationalPerHour])
    }

    @Test("Probing: short calls to one premium prefix then a long call trip short-calls and class-of-service", arguments: [
        ("probing-asterisk.csv", CDRFormat.asterisk), ("probing-freeswitch.csv", .freeswitch), ("probing-tollgate.csv", .tollgate),
    ])
    func probing(file: String, format: CDRFormat) throws {
        let analysis = try CDRTestSupport.analyze(CDRTestSupport.fixture(file), format: format)
        let short = try #require(analysis.findings.first { $0.rule == .shortCalls })
        #expect(short.account == "207")
        #expect(short.severity == .warning)
        #expect(short.value == 6 && short.limit == 4)
        let cos = try #require(analysis.findings.first { $0.rule == .classOfService })
        #expect(cos.account == "207")
        #expect(cos.severity == .critical)
        #expect(cos.lineCount == 7)
        #expect(cos.numbers.last == "09098790999")
        #expect(analysis.findings.allSatisfy { $0.account == "207" })
    }

    @Test("A spike of calls at once trips concurrent-calls for that account", arguments: [
        ("concurrent-asterisk.csv", CDRFormat.asterisk), ("concurrent-freeswitch.csv", .freeswitch),
    ])
    func concurrentSpike(file: String, format: CDRFormat) throws {
        let analysis = try CDRTestSupport.analyze(CDRTestSupport.fixture(file), format: format, config: "clean.yaml")
        #expect(analysis.findings.count == 1)
        let finding = try #require(analysis.findings.first)
        #expect(finding.rule == .concurrentCalls)
        #expect(finding.account == "203")
        #expect(finding.severity == .critical)
        #expect(finding.value == 10 && finding.limit == 8)
        #expect(finding.lineCount == 6)
    }

    @Test("Malformed rows are counted with their lines and the good rows are still analysed")
    func malformedRows() throws {
        let analysis = try CDRTestSupport.analyze(CDRTestSupport.fixture("malformed-asterisk.csv"), format: .asterisk, config: "clean.yaml")
        #expect(analysis.malformedCount == 5)
        #expect(analysis.malformed.map(\.line) == [5, 9, 14, 20, 26])
        #expect(analysis.rows == 27)
        #expect(analysis.callsByClass.values.reduce(0, +) == 27)
    }

    @Test("A file in another layout is refused, naming the layout expected and the first rows it could not read", arguments: [
        ("clean-month-freeswitch.csv", CDRFormat.asterisk), ("clean-month-asterisk.csv", .freeswitch),
        ("clean-month-asterisk.csv", .tollgate),
    ])
    func wrongLayout(file: String, format: CDRFormat) throws {
        #expect {
            try CDRTestSupport.analyze(CDRTestSupport.fixture(file), format: format, config: "clean.yaml")
        } throws: { error in
            guard case CDRFileError.unreadableLayout(let named, let unreadable, let readable, let first) = error else { return false }
            let text = "\(error)"
            return named == format && unreadable > readable && !first.isEmpty
                && text.contains("not in the \(format.rawValue) layout") && text.contains(format.layout) && text.contains("line ")
        }
    }

    @Test("A file of text that is not CDRs at all is refused, not reported as clean")
    func notCDRs() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-cdrs-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data((0..<50).map { "line \($0) of a letter to the bank\n" }.joined().utf8).write(to: url)
        #expect(throws: CDRFileError.self) {
            try CDRTestSupport.analyze(url.path, format: .asterisk, config: "clean.yaml")
        }
    }
}
