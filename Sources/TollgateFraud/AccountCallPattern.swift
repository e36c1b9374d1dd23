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
}
