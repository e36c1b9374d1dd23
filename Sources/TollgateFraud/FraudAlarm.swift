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
    public var detail: String {
        get {
            switch text {
            case .written(let sentence):
                return sentence
            case .threshold(let what):
                let who = scope == .account ? "account \(account)" : "all accounts together"
                return "\(rule.rawValue): \(FraudEngine.number(value)) \(what) for \(who) exceed the \(severity.rawValue) level \(FraudEngine.number(limit))"
            }
        }
        set { text = .written(newValue) }
    }

    /// The sentence, or what it is made of: a threshold's alarm writes it only when asked, since a
    /// busy office's global thresholds raise one per call and most are merged into a finding unread.
    private var text: Text

    private enum Text: Sendable {
        case written(String)
        /// "<rule>: <value> <what> for <who> exceed the <severity> level <limit>".
        case threshold(what: String)
    }

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
        self.text = .written(detail)
    }

    /// A threshold crossed: `what` names the value (`calls in 60 s`), the sentence is written when read.
    init(threshold rule: FraudRule, severity: FraudSeverity, scope: FraudScope, account: String, value: Double, limit: Double,
         windowStart: Date, windowEnd: Date, callID: String, what: String) {
        self.init(rule: rule, severity: severity, scope: scope, account: account, value: value, limit: limit, windowStart: windowStart,
                  windowEnd: windowEnd, callID: callID, detail: "")
        self.text = .threshold(what: what)
    }

    // Equal, hashed and coded by what it says, however its sentence is kept.

    public static func == (lhs: FraudAlarm, rhs: FraudAlarm) -> Bool {
        lhs.rule == rhs.rule && lhs.severity == rhs.severity && lhs.scope == rhs.scope && lhs.account == rhs.account && lhs.value == rhs.value
            && lhs.limit == rhs.limit && lhs.windowStart == rhs.windowStart && lhs.windowEnd == rhs.windowEnd && lhs.callID == rhs.callID
            && lhs.detail == rhs.detail
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rule)
        hasher.combine(severity)
        hasher.combine(scope)
        hasher.combine(account)
        hasher.combine(value)
        hasher.combine(limit)
        hasher.combine(windowStart)
        hasher.combine(windowEnd)
        hasher.combine(callID)
        hasher.combine(detail)
    }

    private enum CodingKeys: String, CodingKey {
        case rule, severity, scope, account, value, limit, windowStart, windowEnd, callID, detail
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(rule: try container.decode(FraudRule.self, forKey: .rule), severity: try container.decode(FraudSeverity.self, forKey: .severity),
                  scope: try container.decode(FraudScope.self, forKey: .scope), account: try container.decode(String.self, forKey: .account),
                  value: try container.decode(Double.self, forKey: .value), limit: try container.decode(Double.self, forKey: .limit),
                  windowStart: try container.decode(Date.self, forKey: .windowStart), windowEnd: try container.decode(Date.self, forKey: .windowEnd),
                  callID: try container.decode(String.self, forKey: .callID), detail: try container.decode(String.self, forKey: .detail))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rule, forKey: .rule)
        try container.encode(severity, forKey: .severity)
        try container.encode(scope, forKey: .scope)
        try container.encode(account, forKey: .account)
        try container.encode(value, forKey: .value)
        try container.encode(limit, forKey: .limit)
        try container.encode(windowStart, forKey: .windowStart)
        try container.encode(windowEnd, forKey: .windowEnd)
        try container.encode(callID, forKey: .callID)
        try container.encode(detail, forKey: .detail)
    }
}
