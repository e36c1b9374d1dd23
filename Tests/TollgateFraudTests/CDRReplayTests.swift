import Foundation
import Testing
@testable import TollgateFraud
import TollgateModel
import TollgateTestSupport

@Suite("CDR replay")
struct CDRReplayTests {
    /// A policy that writes down what it was told, in order.
    struct Recorder: FraudPolicy {
        var log: [String] = []
        var times: [Date] = []
        mutating func begin(_ attempt: CallAttempt) -> FraudDecision {
            log.append("begin \(attempt.callID)")
            times.append(attempt.time)
            return FraudDecision(classification: nil)
        }
        mutating func answer(callID: String, at time: Date) {
            log.append("answer \(callID)")
            times.append(time)
        }
        mutating func end(callID: String, at time: Date) -> [FraudAlarm] {
            log.append("end \(callID)")
            times.append(time)
            return []
        }
        mutating func expire(at now: Date) -> [String] { [] }
    }

    static func row(_ line: Int, start: Double, answer: Double?, end: Double) -> CDRRow {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        return CDRRow(line: line, record: CallDetailRecord(
            callID: "", direction: .outbound, from: "201", to: "01632960000", account: "201", source: "",
            start: base + start, answer: answer.map { base + $0 }, end: base + end, disposition: answer == nil ? .noAnswer : .answered))
    }

    @Test("Rows written in end order reach the policy in time order: starts, answers and ends interleaved")
    func timeOrder() {
        // Written as the calls ended: line 1 ended first but started last.
        let rows = [
            Self.row(1, start: 100, answer: 105, end: 110),
            Self.row(2, start: 0, answer: 10, end: 300),
            Self.row(3, start: 50, answer: nil, end: 400),
        ]
        var replay = CDRReplay(policy: Recorder(), horizon: 3600)
        for row in rows { replay.add(row) { _ in } }
        replay.finish { _ in }
        #expect(replay.policy.log == [
            "begin L2", "answer L2", "begin L3", "begin L1", "answer L1", "end L1", "end L2", "end L3",
        ])
        #expect(replay.policy.times == replay.policy.times.sorted())
        #expect(replay.lateRows == 0)
    }

    @Test("The reorder buffer stays bounded by the horizon and releases rows as ends move on")
    func bounded() {
        var replay = CDRReplay(policy: Recorder(), horizon: 600)
        var began = 0
        for index in 0..<10_000 {
            let start = Double(index) * 10
            replay.add(Self.row(index + 1, start: start, answer: start + 1, end: start + 60)) { outcome in
                if case .began = outcome { began += 1 }
            }
        }
        #expect(replay.peakBuffered <= 70)
        #expect(began > 9_900)
        replay.finish { _ in }
        #expect(replay.policy.log.count == 30_000)
    }

    @Test("A row later than the horizon is counted and still replayed")
    func lateRow() {
        var replay = CDRReplay(policy: Recorder(), horizon: 60)
        replay.add(Self.row(1, start: 1000, answer: nil, end: 1010)) { _ in }
        replay.add(Self.row(2, start: 2000, answer: nil, end: 2010)) { _ in }
        replay.add(Self.row(3, start: 10, answer: nil, end: 5000)) { _ in }
        replay.finish { _ in }
        #expect(replay.lateRows == 1)
        #expect(replay.policy.log.filter { $0.hasPrefix("begin") }.count == 3)
    }

    @Test("Rows out of start order give the same findings as the same rows sorted by start")
    func shuffledEqualsSorted() throws {
        let fixture = CDRTestSupport.fixture("night-burst-asterisk.csv")
        let text = try String(contentsOfFile: fixture, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        // Sorted by start (column 10), and shuffled within a few minutes of each other.
        func start(_ line: String) -> String { line.components(separatedBy: "\",\"")[9] }
        let sorted = lines.sorted { start($0) < start($1) }
        var generator = SeededGenerator(seed: 42)
        var shuffled = sorted
        for index in stride(from: 0, to: shuffled.count - 8, by: 8) {
            shuffled[index..<(index + 8)].shuffle(using: &generator)
        }
        let config = "night.yaml"
        let original = try CDRTestSupport.analyze(fixture, format: .asterisk, config: config)
        let bySort = try CDRTestSupport.analyze(try CDRTestSupport.temporaryFile(sorted.joined(separator: "\n")), format: .asterisk, config: config)
        let byShuffle = try CDRTestSupport.analyze(try CDRTestSupport.temporaryFile(shuffled.joined(separator: "\n")), format: .asterisk, config: config)
        func summary(_ analysis: CDRAnalysis) -> [String] {
            analysis.findings.map { "\($0.rule.rawValue) \($0.account) \($0.severity.rawValue) \($0.windowStart) \($0.windowEnd) \($0.value) \($0.numbers.sorted())" }
        }
        #expect(!original.findings.isEmpty)
        #expect(summary(bySort) == summary(original))
        #expect(summary(byShuffle) == summary(original))
    }
}

