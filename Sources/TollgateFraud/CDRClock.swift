import Foundation

/// Reads CDR time stamps from bytes, local times in one time zone or UTC, without a `DateFormatter` per row: the zone's offset is looked up once per hour and cached.
public struct CDRClock: Sendable {
    /// The zone local times are in.
    public let timeZone: TimeZone
    private let isUTC: Bool
    /// Offsets (seconds east of UTC) by local hour (naive seconds / 3600).
    private var localHourOffsets: [Int: Int] = [:]
    private var lastLocalHour = Int.min
    private var lastLocalOffset = 0

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        isUTC = timeZone.identifier == "UTC" || timeZone.identifier == "GMT"
            || (timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)) == 0 && timeZone.nextDaylightSavingTimeTransition == nil)
    }

    /// A clock for an IANA zone name (`Europe/London`, `UTC`).
    public init(timeZoneNamed name: String) throws(CDRFileError) {
        guard let zone = TimeZone(identifier: name) else { throw .unknownTimeZone(name) }
        self.init(timeZone: zone)
    }

    /// Reads `YYYY-MM-DD HH:MM:SS` (or with `T`, optional fractional seconds) as local time in
    /// ``timeZone``; `nil` when the bytes are not such a time. In a repeated hour (clocks going
    /// back) the later offset is taken; a time in a skipped hour is read with the offset before it.
    public mutating func readLocal(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard let (naive, fraction, rest) = Self.readCivil(bytes), rest == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(naive - localOffset(naiveSeconds: naive)) + fraction)
    }

    /// Reads ISO 8601 in UTC with a `Z`, with or without fractional seconds
    /// (`2026-11-24T20:15:03.120Z`); `nil` for anything else.
    public static func readUTC(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard let (naive, fraction, rest) = readCivil(bytes), rest == bytes.count - 1, bytes[rest] == UInt8(ascii: "Z") else { return nil }
        return Date(timeIntervalSince1970: Double(naive) + fraction)
    }

    private mutating func localOffset(naiveSeconds: Int) -> Int {
        if isUTC { return 0 }
        let hour = naiveSeconds >= 0 ? naiveSeconds / 3600 : (naiveSeconds - 3599) / 3600
        if hour == lastLocalHour { return lastLocalOffset }
        let offset: Int
        if let cached = localHourOffsets[hour] {
            offset = cached
        } else {
            let naive = Double(hour * 3600)
            let guess = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: naive))
            offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: naive - Double(guess)))
            if localHourOffsets.count > 100_000 { localHourOffsets.removeAll(keepingCapacity: true) }
            localHourOffsets[hour] = offset
        }
        lastLocalHour = hour
        lastLocalOffset = offset
        return offset
    }

    /// Reads `YYYY-MM-DD[ T]HH:MM:SS[.fff]`: seconds since 1970 as if the time were UTC, the
    /// fraction, and the index after what was read.
    static func readCivil(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Double, Int)? {
        guard bytes.count >= 19 else { return nil }
        @inline(__always) func digits(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for index in from..<(from + count) {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let first = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > first else { return nil }
        }
        let seconds = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return (seconds, fraction, index)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
