import Foundation

extension FraudFinding {
    /// How far past its limit the finding went: the peak value over the limit for a rule with a
    /// level (10 calls against a limit of 4 is 2.5); 1 for a rule without one (class of service,
    /// a suspended account), which trips on a single call.
    public var excess: Double {
        guard rule.hasLevel, limit > 0 else { return 1 }
        return value / limit
    }

    /// Whether `self` should be looked at before `other`: criticals first; then the finding that
    /// went furthest past its limit; then the one with more calls behind it; then the earlier one.
    public func comesBefore(_ other: FraudFinding) -> Bool {
        if severity != other.severity { return severity > other.severity }
        if excess != other.excess { return excess > other.excess }
        if lineCount != other.lineCount { return lineCount > other.lineCount }
        if windowStart != other.windowStart { return windowStart < other.windowStart }
        return (rule.rawValue, account) < (other.rule.rawValue, other.account)
    }

    /// Findings in the order an operator should look at them (``comesBefore(_:)``).
    public static func ranked(_ findings: [FraudFinding]) -> [FraudFinding] {
        findings.sorted { $0.comesBefore($1) }
    }

    /// One line that says what to look at first, or `nil` when there is nothing.
    public static func headline(_ findings: [FraudFinding]) -> String? {
        guard let first = ranked(findings).first else { return nil }
        let who = first.account == "*" ? "all calls" : "account \(first.account)"
        var line = "look first at \(first.rule.rawValue) (\(first.severity.rawValue)) for \(who)"
        if first.rule.hasLevel, first.limit > 0 {
            line += String(format: ": %@ against a limit of %@", Self.compact(first.value), Self.compact(first.limit))
        }
        line += ", \(first.lineCount) call\(first.lineCount == 1 ? "" : "s")"
        let others = findings.count - 1
        if others > 0 { line += "; \(others) other finding\(others == 1 ? "" : "s") below" }
        return line
    }

    private static func compact(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }
}
