import Foundation
import Testing
import TollgateConfig

@testable import TollgateFraud

/// The proof of the baselines: generated months of offices of several shapes with frauds of each
/// kind injected, analysed as a new user would (no policy written, the default thresholds).
@Suite("Generated office months: every injected fraud is found, and no one else is flagged")
struct OfficeMonthTests {
    static func analyze(_ month: OfficeMonth, format: CDRFormat, baselines: Bool = true) throws -> CDRAnalysis {
        let path = try CDRTestSupport.temporaryFile(month.text(format))
        var options = CDRAnalyzer.Options(format: format, timeZone: TimeZone(identifier: "UTC")!)
        options.judgesClassOfService = false
        options.thresholdsAreDefaults = true
        if !baselines { options.baselines = nil }
        return try CDRAnalyzer(options: options).analyze(path: path, policy: try CDRTestSupport.engine(FraudConfig()))
    }

    static func overlaps(_ finding: FraudFinding, _ fraud: OfficeMonth.Fraud) -> Bool {
        finding.windowStart <= fraud.to.addingTimeInterval(3_600) && finding.windowEnd >= fraud.from.addingTimeInterval(-3_600)
    }

    @Test("each shape, in Asterisk and FreeSWITCH form", arguments: OfficeMonth.Shape.allCases, [CDRFormat.asterisk, .freeswitch])
    func shape(_ shape: OfficeMonth.Shape, format: CDRFormat) throws {
        let month = OfficeMonth(shape: shape, seed: UInt64(ProcessInfo.processInfo.environment["OFFICE_SEED"] ?? "") ?? 0x0FF1CE)
        let analysis = try Self.analyze(month, format: format)
        #expect(analysis.malformedCount == 0)
        for fraud in month.frauds {
            for account in fraud.accounts {
                let found = analysis.findings.filter { $0.account == account && Self.overlaps($0, fraud) }
                #expect(!found.isEmpty, "\(shape): the \(fraud.kind) of \(account) was not found")
            }
        }
        let unexplained = analysis.findings.filter { finding in !month.frauds.contains { $0.accounts.contains(finding.account) && Self.overlaps(finding, $0) } }
        #expect(unexplained.isEmpty, "\(shape): flagged outside any fraud: \(unexplained.map { "\($0.rule.rawValue) \($0.account) \($0.windowStart): \($0.detail)" })")
    }

    @Test("without baselines, the thresholds alone flag ordinary sales people and miss the slow premium run")
    func thresholdsAlone() throws {
        let sales = OfficeMonth(shape: .sales, seed: 0x0FF1CE)
        let flagged = Set(try Self.analyze(sales, format: .asterisk, baselines: false).findings.map(\.account))
        #expect(flagged.count > 3, "ordinary sales lines flagged by the default warnings: \(flagged.sorted())")
        let quiet = OfficeMonth(shape: .quiet, seed: 0x0FF1CE)
        let slow = try #require(quiet.frauds.first { $0.kind == "low and slow premium" })
        let found = try Self.analyze(quiet, format: .asterisk, baselines: false).findings.filter { $0.account == "209" && Self.overlaps($0, slow) }
        #expect(found.isEmpty, "the thresholds alone do not see it: \(found.map(\.rule))")
    }
}
