import Foundation

/// Reads instants as local calendar days, weekdays and minutes in one time zone, fast enough for
/// a million CDR rows: the zone's offset is looked up once per quarter of an hour and reused.
public struct LocalClock: Sendable {
    /// A local moment.
    public struct Moment: Sendable, Hashable {
        /// Days since 1970-01-01 in local time.
        public var day: Int
        /// 0 = Monday … 6 = Sunday.
        public var weekday: Int
        /// Minutes after local midnight.
        public var minute: Int
    }

    public let timeZone: TimeZone
    private var cachedQuarter = Int.min
    private var cachedOffset = 0

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The local day, weekday and minute of `date`.
    public mutating func moment(_ date: Date) -> Moment {
        let seconds = date.timeIntervalSince1970
        let quarter = Int((seconds / 900).rounded(.down))
        if quarter != cachedQuarter {
            cachedQuarter = quarter
            cachedOffset = timeZone.secondsFromGMT(for: date)
        }
        let local = Int(seconds.rounded(.down)) + cachedOffset
        let day = Int((Double(local) / 86_400).rounded(.down))
        let secondOfDay = local - day * 86_400
        // 1970-01-01 was a Thursday (3 when Monday is 0).
        let weekday = ((day % 7) + 7 + 3) % 7
        return Moment(day: day, weekday: weekday, minute: secondOfDay / 60)
    }

    /// When the local day of `date` began (local midnight), the same instant on every node with the same time zone.
    public mutating func dayStart(_ date: Date) -> Date {
        let day = moment(date).day
        return Date(timeIntervalSince1970: Double(day * 86_400 - cachedOffset))
    }
}
