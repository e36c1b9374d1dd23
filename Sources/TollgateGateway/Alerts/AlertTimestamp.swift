import Foundation

/// RFC 3339 timestamps in UTC with milliseconds, e.g. `2026-11-24T18:13:54.250Z`: the ISO 8601
/// profile that RFC 5424 requires for syslog and that webhook receivers parse.
enum AlertTimestamp {
    /// `date` as `YYYY-MM-DDThh:mm:ss.sssZ`.
    static func rfc3339(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        // Dates far outside what a time_t holds are clamped rather than trapping.
        let clamped = min(max(milliseconds, -62_135_596_800_000), 253_402_300_799_999)
        let total = Int64(clamped)
        var seconds = time_t(total.floorDivided(by: 1000))
        let fraction = Int(total - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return Self.digits(Int(parts.tm_year) + 1900, 4) + "-" + Self.digits(Int(parts.tm_mon) + 1, 2) + "-"
            + Self.digits(Int(parts.tm_mday), 2) + "T" + Self.digits(Int(parts.tm_hour), 2) + ":"
            + Self.digits(Int(parts.tm_min), 2) + ":" + Self.digits(Int(parts.tm_sec), 2) + "."
            + Self.digits(fraction, 3) + "Z"
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

extension Int64 {
    /// Division rounding towards negative infinity, so times before 1970 keep a positive fraction.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
