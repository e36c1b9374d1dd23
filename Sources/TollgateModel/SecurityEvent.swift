import Foundation

/// Something Tollgate decided that an operator should see: a drop, a reject, a ban, a failover,
/// a fraud alarm. Events are logged, counted, stored and sent to alert sinks.
public struct SecurityEvent: Sendable, Hashable, Codable {
    /// How much attention an event needs.
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case info, notice, warning, critical

        var rank: Int {
            switch self {
            case .info: 0
            case .notice: 1
            case .warning: 2
            case .critical: 3
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// The row id the store gave the event; `nil` until stored.
    public var id: Int64?
    /// A key unique to this event, made where it happened. A store keeps one event per key, so an
    /// event written again (after an answer lost with the connection, or replayed from a journal)
    /// is stored once.
    public var key: UUID
    /// When it happened.
    public var time: Date
    /// A stable kind, e.g. `ban`, `scanner`, `rate-limit`, `malformed`, `trunk-down`.
    public var kind: String
    /// The transport source address the event is about (IP text, no port), or "" for none.
    public var source: String
    /// The rule that fired, e.g. `scanner-fingerprint`.
    public var rule: String
    /// A human reason.
    public var detail: String
    /// How much attention it needs.
    public var severity: Severity

    public init(id: Int64? = nil, key: UUID = UUID(), time: Date = Date(), kind: String, source: String, rule: String, detail: String,
                severity: Severity = .notice) {
        self.id = id
        self.key = key
        self.time = time
        self.kind = kind
        self.source = source
        self.rule = rule
        self.detail = detail
        self.severity = severity
    }
}
