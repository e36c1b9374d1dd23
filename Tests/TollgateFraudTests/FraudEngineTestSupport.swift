import Foundation
import TollgateConfig
@testable import TollgateFraud

/// Builds engines and call attempts for the fraud tests, with times written as ISO 8601 text.
enum FraudTestSupport {
    static let classifier = NumberClassifier(config: FraudConfig.Numbering(), prefixes: NumberClassifierTests.prefixes)

    /// A config with every threshold off, so each test turns on just the rule it proves.
    static func quietConfig() -> FraudConfig {
        var config = FraudConfig()
        config.thresholds = FraudConfig.Thresholds()
        config.global = FraudConfig.Thresholds()
        return config
    }

    static func engine(_ config: FraudConfig, enforcing: Bool = true) -> FraudEngine {
        do {
            return try FraudEngine(config: config, classifier: classifier, enforcing: enforcing)
        } catch {
            fatalError("test config rejected: \(error)")
        }
    }

    static func time(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { fatalError("bad test time \(text)") }
        return date
    }

    static func attempt(_ account: String, _ dialled: String, at time: Date, callID: String? = nil) -> CallAttempt {
        CallAttempt(callID: callID ?? "call-\(UUID().uuidString)", account: account, dialled: dialled,
                           source: "127.0.0.20", time: time)
    }

    /// A Tuesday noon in UTC.
    static let noon = time("2026-11-24T12:00:00Z")
}
