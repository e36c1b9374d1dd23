import TollgateModel

/// Something Shield noticed or decided, for the event log: a stable kind, the rule that fired,
/// and a human reason with the values that crossed the limits.
public struct ShieldFinding: Sendable, Hashable {
    /// How much attention it needs (mirrors the store's event severities).
    public typealias Severity = SecurityEvent.Severity

    /// Stable kinds: `scanner`, `rate-limit`, `enumeration`, `invite-sweep`, `options-sweep`,
    /// `auth-failure`, `account-attack`, `malformed`, `ban`, `trust`.
    public var kind: String
    public var rule: String
    public var detail: String
    public var severity: Severity

    public init(kind: String, rule: String, detail: String, severity: Severity = .notice) {
        self.kind = kind
        self.rule = rule
        self.detail = detail
        self.severity = severity
    }
}

/// A ban Shield set, to be stored and shown.
public struct ShieldBan: Sendable, Hashable {
    public var source: IPAddress
    /// Seconds since 1970.
    public var since: Double
    public var until: Double
    public var offences: Int
    public var rule: String
    public var reason: String

    public init(source: IPAddress, since: Double, until: Double, offences: Int, rule: String, reason: String) {
        self.source = source
        self.since = since
        self.until = until
        self.offences = offences
        self.rule = rule
        self.reason = reason
    }
}

/// What to do with a message.
public enum ShieldVerdict: Sendable, Hashable {
    /// Go on.
    case pass
    /// Drop it silently: the sender learns nothing.
    case drop
}

/// Shield's answer for one message: the verdict, what to record, and a ban to store if one was set.
public struct ShieldDecision: Sendable, Hashable {
    public var verdict: ShieldVerdict
    public var findings: [ShieldFinding]
    public var ban: ShieldBan?

    public init(verdict: ShieldVerdict, findings: [ShieldFinding] = [], ban: ShieldBan? = nil) {
        self.verdict = verdict
        self.findings = findings
        self.ban = ban
    }

    public static let pass = ShieldDecision(verdict: .pass)
}

/// How far a source is trusted.
public enum TrustLevel: String, Sendable, Hashable {
    /// Trunks, allow-listed peers, and sources that registered successfully.
    case trusted
    /// Everyone else: tighter limits, behaviour watched.
    case untrusted
    /// On the deny-list or banned.
    case denied
}
