import Foundation

/// One rule crossing a level: which rule, for whom, the value that crossed and the limit it crossed.
public struct FraudAlarm: Sendable, Hashable, Codable {
    public var rule: FraudRule
    public var severity: FraudSeverity
    public var scope: FraudScope
    /// The account concerned (for a global alarm, the account whose call crossed it).
    public var account: String
    /// The value that crossed the level (calls, minutes…), this call included.
    public var value: Double
    /// The level that was crossed.
    public var limit: Double
    /// The window the value was counted over.
    public var windowStart: Date
    public var windowEnd: Date
    /// The Call-ID of the call that crossed it.
    public var callID: String
    /// A human sentence with the rule, the values and the limit.
    public var detail: String

    public init(
        rule: FraudRule, severity: FraudSeverity, scope: FraudScope, account: String, value: Double, limit: Double,
        windowStart: Date, windowEnd: Date, callID: String, detail: String
    ) {
        self.rule = rule
        self.severity = severity
        self.scope = scope
        self.account = account
        self.value = value
        self.limit = limit
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.callID = callID
        self.detail = detail
    }
}
