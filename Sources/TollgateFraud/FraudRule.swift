/// The rules of fraud control, named as they appear in events, CDRs and findings.
public enum FraudRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// The destination's class is not in the account's class of service.
    case classOfService = "class-of-service"
    /// Calls started in any 60 seconds.
    case callsPerMinute = "calls-per-minute"
    /// Calls in progress at once.
    case concurrentCalls = "concurrent-calls"
    /// Calls started in one calendar day.
    case callsPerDay = "calls-per-day"
    /// International, premium and high-risk calls in any hour.
    case internationalPerHour = "international-per-hour"
    /// Sequential short calls to one destination prefix (probing).
    case shortCalls = "short-calls"
    /// Answered minutes in one calendar day.
    case minutesPerDay = "minutes-per-day"
    /// An international, premium or high-risk call in an after-hours window.
    case afterHours = "after-hours"
    /// The account is suspended until an operator resumes it.
    case suspended = "account-suspended"
    /// A call to a country or destination class the account never called (``BaselineDetector``).
    case firstDestination = "first-destination"
    /// Far more calls in an hour than the account's own normal for that hour of the week.
    case volumeAnomaly = "volume-anomaly"
    /// Premium-rate or high-risk calls repeated over hours or days, each hour under the thresholds.
    case slowRun = "slow-run"

    /// Whether the rule counts against a level (its alarms' `value` and `limit` mean something);
    /// class of service, after hours and suspension are yes-or-no rules.
    public var hasLevel: Bool {
        switch self {
        case .classOfService, .afterHours, .suspended, .firstDestination: false
        default: true
        }
    }
}

/// Whether a rule's finding concerns one account or all calls together.
public enum FraudScope: String, Sendable, Hashable, Codable {
    case account, global
}

/// How serious a fraud alarm is.
public enum FraudSeverity: String, Sendable, Hashable, Codable, Comparable {
    /// Raised and reported; the call goes on.
    case warning
    /// The call is rejected (live) and the account may be suspended.
    case critical

    public static func < (lhs: FraudSeverity, rhs: FraudSeverity) -> Bool { lhs == .warning && rhs == .critical }
}
