import Foundation

/// A source address that is refused until a time, and why.
///
/// One record is kept per source, also after the ban expires, so a repeat offender's next ban is
/// longer (``offences`` counts the bans so far).
public struct Ban: Sendable, Hashable, Codable {
    /// Who set the ban.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// A Shield rule.
        case automatic
        /// An operator, with `tollgate ban add` or the console.
        case operator_ = "operator"
    }

    /// The banned address, as canonical IP text (IPv4 dotted quad, IPv6 RFC 5952).
    public var source: String
    /// When the current ban began.
    public var since: Date
    /// When it ends.
    public var until: Date
    /// The rule that fired (or `operator`).
    public var rule: String
    /// A human reason.
    public var reason: String
    /// How many times this source has been banned, this ban included.
    public var offences: Int
    /// Who set it.
    public var origin: Origin

    public init(source: String, since: Date, until: Date, rule: String, reason: String, offences: Int = 1, origin: Origin = .automatic) {
        self.source = source
        self.since = since
        self.until = until
        self.rule = rule
        self.reason = reason
        self.offences = offences
        self.origin = origin
    }

    /// Whether the ban is in force at `date`.
    public func isActive(at date: Date) -> Bool { until > date }

    /// Seconds left at `date` (0 when expired).
    public func secondsLeft(at date: Date) -> Int { max(0, Int(until.timeIntervalSince(date).rounded(.up))) }
}
