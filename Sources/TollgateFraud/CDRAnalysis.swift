import Foundation

/// The result of analysing one CDR file: what was read, the traffic's shape and the findings.
public struct CDRAnalysis: Sendable, Hashable {
    /// Calls and answered minutes to one destination (a number, or the leading digits of one).
    public struct DestinationTotal: Sendable, Hashable, Codable {
        /// `+441632…` for a prefix of an E.164 number, the number itself when short or internal.
        public var destination: String
        /// The destination's class, or `unreadable`.
        public var numberClass: String
        public var calls: Int
        public var minutes: Double

        public init(destination: String, numberClass: String, calls: Int, minutes: Double) {
            self.destination = destination
            self.numberClass = numberClass
            self.calls = calls
            self.minutes = minutes
        }
    }

    /// The class name used for calls whose number could not be read.
    public static let unreadableClass = "unreadable"

    public var format: CDRFormat
    /// The zone local times were read in and hours of the day are counted in.
    public var timeZone: String
    /// Whether calls were judged against classes of service (off when none was configured).
    public var classOfServiceJudged = true
    /// Where each account's calls went, when classes of service were not judged; by account.
    public var callPatterns: [AccountCallPattern] = []

    /// Rows read and analysed (headers, blank lines and malformed rows not included).
    public var rows = 0
    /// Malformed rows: how many, and the first ones (up to the analyser's limit).
    public var malformedCount = 0
    public var malformed: [CDRMalformedRow] = []
    /// Inbound calls in a Tollgate export, not analysed.
    public var inbound = 0
    /// Rows that came later than the reorder horizon allowed (replayed slightly out of order).
    public var lateRows = 0
    /// Answered calls and their minutes.
    public var answered = 0
    public var minutes = 0.0
    /// Calls by destination class name.
    public var callsByClass: [String: Int] = [:]
    /// Calls by destination class name and local hour of the day (24 counts each).
    public var callsByHour: [String: [Int]] = [:]
    /// The busiest destinations by calls, at most the analyser's limit.
    public var topDestinations: [DestinationTotal] = []
    /// The first start and the last end seen; `nil` for a file with no usable row.
    public var firstStart: Date?
    public var lastEnd: Date?
    /// The findings, by window start.
    public var findings: [FraudFinding] = []

    public init(format: CDRFormat, timeZone: String) {
        self.format = format
        self.timeZone = timeZone
    }

    /// The classes seen, in ``NumberClass`` order, then unreadable.
    public var classesSeen: [String] {
        let known = NumberClass.allCases.map(\.rawValue) + [Self.unreadableClass]
        return known.filter { callsByClass[$0] != nil }
    }
}
