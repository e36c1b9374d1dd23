import Foundation

/// A moment as an operator types it for `--since` or a console filter: a ``DurationText`` back from now (`10m`,
/// `2h`, `1d`) or an ISO-8601 timestamp (`2025-06-15T10:00:00Z`, with an offset or fractional seconds,
/// or a bare date `2025-06-15`, meaning midnight UTC).
public struct PointInTimeText: Hashable, Sendable {
    /// Why a text is not a point in time.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var text: String

        public init(text: String) { self.text = text }

        public var description: String {
            "'\(text)' is neither a duration back from now (e.g. 10m, 2h, 1d) nor an ISO-8601 time (e.g. 2025-06-15T10:00:00Z)"
        }
    }

    /// The moment meant.
    public let date: Date

    /// Parses `text`, taking a duration as that long before `now`.
    public init(parsing text: String, now: Date = Date()) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let duration = try? DurationText(parsing: trimmed, allowPermanent: false) {
            date = now.addingTimeInterval(-duration.timeInterval)
            return
        }
        let formats: [ISO8601DateFormatter.Options] = [
            [.withInternetDateTime],
            [.withInternetDateTime, .withFractionalSeconds],
            [.withFullDate],
        ]
        for options in formats {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) {
                self.date = date
                return
            }
        }
        throw ParseError(text: text)
    }
}
