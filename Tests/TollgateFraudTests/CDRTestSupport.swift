import Foundation
import TollgateConfig
@testable import TollgateFraud

/// Files and engines for the CDR tests.
enum CDRTestSupport {
    /// The committed fixtures (written by scripts/fixtures/make-cdr-fixtures.py).
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// Writes `text` to a new temporary file and returns its path.
    static func temporaryFile(_ text: String, name: String = "cdr.csv") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cdr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Every item of a file.
    static func items(_ path: String, format: CDRFormat, zone: String = "UTC", chunkSize: Int = 1 << 20) throws -> [CDRFileReader.Item] {
        var reader = try CDRFileReader(path: path, format: format, clock: try CDRClock(timeZoneNamed: zone), chunkSize: chunkSize)
        var items: [CDRFileReader.Item] = []
        while true {
            let item = try reader.next()
            if item == .end { return items }
            items.append(item)
        }
    }

    static func rows(_ items: [CDRFileReader.Item]) -> [CDRRow] {
        items.compactMap { if case .row(let row) = $0 { row } else { nil } }
    }

    static func malformed(_ items: [CDRFileReader.Item]) -> [CDRMalformedRow] {
        items.compactMap { if case .malformed(let row) = $0 { row } else { nil } }
    }

    /// The fraud section of a fixture configuration, or the defaults.
    static func fraudConfig(_ name: String?) throws -> FraudConfig {
        guard let name else { return FraudConfig() }
        return try TollgateConfig.load(path: fixture(name)).fraud
    }

    /// An offline engine for `config`.
    static func engine(_ config: FraudConfig) throws -> FraudEngine {
        let classifier = NumberClassifier(config: config.numbering, prefixes: try HighRiskPrefixes.shipped())
        return try FraudEngine(config: config, classifier: classifier, enforcing: false)
    }

    /// Analyses a file with the fraud section of `configName` (defaults when `nil`).
    static func analyze(_ path: String, format: CDRFormat, config configName: String? = nil) throws -> CDRAnalysis {
        let config = try fraudConfig(configName)
        let options = CDRAnalyzer.Options(format: format, timeZone: TimeZone(identifier: config.afterHours.timeZone)!)
        return try CDRAnalyzer(options: options).analyze(path: path, policy: try engine(config))
    }

    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }
}
