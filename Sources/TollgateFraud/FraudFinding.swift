import Foundation

/// What CDR analysis reports: the alarms of one rule for one account (or for all calls, when
/// the rule's scope is global) that followed each other within the rule's window, as one finding.
public struct FraudFinding: Sendable, Hashable, Codable {
    public var rule: FraudRule
    public var scope: FraudScope
    /// The account; `*` for a global finding.
    public var account: String
    /// The highest severity among the alarms.
    public var severity: FraudSeverity
    /// From the earliest window start to the latest window end of the alarms.
    public var windowStart: Date
    public var windowEnd: Date
    /// The peak value, and the level it was measured against (the level of the highest severity reached).
    public var value: Double
    public var limit: Double
    /// How many alarms the finding groups.
    public var alarmCount: Int
    /// The numbers dialled by the calls that raised the alarms, distinct, in order, at most
    /// ``maxNumbers``; ``numberCount`` is the total distinct count (up to ``maxNumberCount``).
    public var numbers: [String]
    public var numberCount: Int
    /// The CDR lines of those calls, ascending, at most ``maxLines``; ``lineCount`` is the total.
    public var lines: [Int]
    public var lineCount: Int
    /// The engine's sentence for the peak alarm.
    public var detail: String

    /// How many numbers and lines a finding lists.
    public static let maxNumbers = 50
    public static let maxLines = 200

    public init(
        rule: FraudRule, scope: FraudScope, account: String, severity: FraudSeverity, windowStart: Date, windowEnd: Date,
        value: Double, limit: Double, alarmCount: Int, numbers: [String], numberCount: Int, lines: [Int], lineCount: Int,
        detail: String
    ) {
        self.rule = rule
        self.scope = scope
        self.account = account
        self.severity = severity
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.value = value
        self.limit = limit
        self.alarmCount = alarmCount
        self.numbers = numbers
        self.numberCount = numberCount
        self.lines = lines
        self.lineCount = lineCount
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case rule, scope, account, severity
        case windowStart = "window_start"
        case windowEnd = "window_end"
        case value, limit
        case alarmCount = "alarm_count"
        case numbers
        case numberCount = "number_count"
        case lines
        case lineCount = "line_count"
        case detail
    }

    /// A JSON array of findings: snake_case keys, times in ISO 8601 UTC, sorted keys.
    public static func json(_ findings: [FraudFinding]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(findings)
    }
}
