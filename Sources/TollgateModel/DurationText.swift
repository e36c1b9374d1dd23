import Foundation

/// A span of time as an operator types it (on the command line and in the console): a whole number and a unit — `30s`, `15m`, `2h`, `7d` —
/// or `permanent`, which stands for ``permanentSeconds`` (100 years).
public struct DurationText: Hashable, Sendable, CustomStringConvertible {
    /// Why a text is not a duration.
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not a number followed by `s`, `m`, `h` or `d`, nor `permanent`.
        case malformed(String)
        /// Zero; a duration must be at least one second.
        case zero(String)
        /// Longer than ``permanentSeconds``.
        case tooLong(String)

        public var description: String {
            switch self {
            case .malformed(let text):
                "'\(text)' is not a duration: give a whole number and a unit (s, m, h or d), e.g. 30s, 15m, 2h, 7d"
            case .zero(let text): "'\(text)' is not a duration: it must be at least 1s"
            case .tooLong(let text): "'\(text)' is longer than 100 years"
            }
        }
    }

    /// 100 years of 365 days, in seconds: what `permanent` means.
    public static let permanentSeconds = 100 * 365 * 86_400

    /// Seconds per unit letter.
    private static let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]

    /// The length in whole seconds; greater than zero.
    public let seconds: Int

    /// A duration of `seconds` (at least 1).
    public init(seconds: Int) {
        self.seconds = max(1, seconds)
    }

    /// Parses `30s`, `15m`, `2h`, `7d` or (when `allowPermanent`) `permanent`.
    public init(parsing text: String, allowPermanent: Bool = true) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if allowPermanent, trimmed == "permanent" {
            self.init(seconds: Self.permanentSeconds)
            return
        }
        guard let unit = trimmed.last, let perUnit = Self.units[unit] else { throw .malformed(text) }
        let digits = trimmed.dropLast()
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let count = Int(digits) else { throw .malformed(text) }
        guard count > 0 else { throw .zero(text) }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: perUnit)
        guard !overflow, seconds <= Self.permanentSeconds else { throw .tooLong(text) }
        self.init(seconds: seconds)
    }

    /// The duration as a `TimeInterval`.
    public var timeInterval: TimeInterval { TimeInterval(seconds) }

    /// Whether this is (at least) `permanent`.
    public var isPermanent: Bool { seconds >= Self.permanentSeconds }

    /// The shortest exact form: `permanent`, `7d`, `90m`, `45s`.
    public var description: String {
        if isPermanent { return "permanent" }
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    /// A readable, rounded-down length in at most two units: `6d 23h`, `59m 12s`, `45s`, `permanent`
    /// (anything over 50 years); `0s` for zero or less.
    public static func approximate(seconds: Int) -> String {
        if seconds >= permanentSeconds / 2 { return "permanent" }
        guard seconds > 0 else { return "0s" }
        let parts = [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        guard let first = parts.firstIndex(where: { seconds >= $0.0 }) else { return "0s" }
        let (size, unit) = parts[first]
        var text = "\(seconds / size)\(unit)"
        if first + 1 < parts.count {
            let (nextSize, nextUnit) = parts[first + 1]
            let rest = seconds % size / nextSize
            if rest > 0 { text += " \(rest)\(nextUnit)" }
        }
        return text
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
