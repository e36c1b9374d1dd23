/// Where one account's calls went: calls per destination class and, for international calls, per
/// country calling code. What offline analysis shows, and proposes a policy from, when the operator
/// has written no class of service.
public struct AccountCallPattern: Sendable, Hashable, Codable {
    public var account: String
    /// Calls per destination class (`national`, `mobile`, `international`, `premium`, `high-risk`, …).
    public var classes: [String: Int] = [:]
    /// International calls per country calling code (`33`, `49`, …).
    public var countries: [String: Int] = [:]

    public init(account: String) {
        self.account = account
    }

    /// All its calls.
    public var calls: Int { classes.values.reduce(0, +) }

    /// Whether it called beyond the national network (international, premium, high-risk, satellite).
    public var callsBeyondNational: Bool {
        classes.keys.contains { !["internal", "emergency", "national", "mobile", CDRAnalysis.unreadableClass].contains($0) }
    }

    /// Patterns in the order to show them: accounts that called beyond the national network first,
    /// then by calls, then by account.
    public static func ordered(_ patterns: [AccountCallPattern]) -> [AccountCallPattern] {
        patterns.sorted { ($0.callsBeyondNational ? 0 : 1, -$0.calls, $0.account) < ($1.callsBeyondNational ? 0 : 1, -$1.calls, $1.account) }
    }

    /// `national 69, mobile 59, …`, most calls first.
    public var classSummary: [String] {
        classes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }
    }

    /// `+33 7, +34 7, …`, most calls first.
    public var countrySummary: [String] {
        countries.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "+\($0.key) \($0.value)" }
    }
}
