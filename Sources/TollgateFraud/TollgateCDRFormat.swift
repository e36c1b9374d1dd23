import Foundation
import TollgateModel

/// Tollgate's own CDR file format, as `tollgate cdr export` writes it: CSV (the default) or JSON.
///
/// **CSV.** The first line is ``header``; then one line per call (``line(for:)``), each ended by a
/// line feed. The columns, in this order:
///
/// | column | value |
/// |---|---|
/// | `call_id`, `from`, `to`, `account`, `source` | text as recorded |
/// | `direction` | `outbound` or `inbound` |
/// | `class`, `trunk`, `hangup`, `rule` | text, empty when unknown |
/// | `start`, `answer`, `end` | ISO 8601 in UTC with milliseconds, `2026-11-24T20:15:03.120Z`; `answer` empty when not answered |
/// | `duration`, `billsec` | seconds with up to three decimals (`63`, `12.5`, `0.125`) |
/// | `disposition` | `answered`, `no-answer`, `busy`, `rejected` or `failed` |
/// | `cause` | the final SIP status, empty when there was none |
/// | `media` | for an anchored call, `codec;packets:bytes:lost;packets:bytes:lost;srtp|rtp;dropped` (caller's flow, then the callee's; ``CallMediaSummary/text``), empty otherwise |
/// | `identity` | for a call from a trunk when caller identity is verified: `verified-A`, `failed:<reason>`, `absent`, with `;spoofed=own-number` or `;spoofed=vip`; empty otherwise |
///
/// Fields are quoted as RFC 4180 says: a field that holds a comma, a double quote, a CR or an LF is
/// put in double quotes, with each double quote inside doubled; no other field is quoted.
///
/// **JSON.** One array of objects (``JSONRecord``), one object per line, with the CSV's column names as
/// keys (sorted), times in the same ISO 8601 form, `duration` and `billsec` as numbers, and `null` for
/// what is unknown. ``jsonEncoder()`` makes the encoder for one object.
public enum TollgateCDRFormat {
    /// The CSV header line (without its line feed).
    public static let header = "call_id,direction,from,to,class,account,source,trunk,start,answer,end,duration,billsec,disposition,cause,hangup,rule,media,identity"

    /// The CSV line of one record (without its line feed).
    public static func line(for record: CallDetailRecord) -> String {
        let fields: [String] = [
            record.callID, record.direction.rawValue, record.from, record.to, record.destinationClass ?? "", record.account,
            record.source, record.trunk ?? "", timestamp(record.start), record.answer.map(timestamp) ?? "", timestamp(record.end),
            seconds(record.duration), seconds(record.billableSeconds), record.disposition.rawValue, record.cause.map(String.init) ?? "",
            record.hangup?.rawValue ?? "", record.rule ?? "", record.media?.text ?? "",
            record.identity ?? "",
        ]
        return fields.map(csvField).joined(separator: ",")
    }

    /// A field as RFC 4180 writes it: in double quotes (inner ones doubled) when it holds a comma, a
    /// double quote, a CR or an LF; as it is otherwise.
    public static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A time as ISO 8601 in UTC with milliseconds (`2026-11-24T20:15:03.120Z`), rounded to the nearest millisecond.
    public static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e14 else { return "" }
        let milliseconds = Int64((seconds * 1000).rounded())
        let millisecondsPerDay: Int64 = 86_400_000
        let days = milliseconds >= 0 ? milliseconds / millisecondsPerDay : (milliseconds - millisecondsPerDay + 1) / millisecondsPerDay
        let ofDay = milliseconds - days * millisecondsPerDay
        // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2) + "T" + padded(ofDay / 3_600_000, 2) + ":"
            + padded(ofDay / 60_000 % 60, 2) + ":" + padded(ofDay / 1000 % 60, 2) + "." + padded(ofDay % 1000, 3) + "Z"
    }

    /// Seconds with up to three decimals and no trailing zeros (`63`, `12.5`, `0.125`).
    public static func seconds(_ value: TimeInterval) -> String {
        guard value.isFinite else { return "0" }
        let milliseconds = Int64((value * 1000).rounded())
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        var text = sign + String(magnitude / 1000)
        let fraction = magnitude % 1000
        if fraction != 0 {
            var decimals = padded(Int64(fraction), 3)
            while decimals.last == "0" { decimals.removeLast() }
            text += "." + decimals
        }
        return text
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: - JSON

    /// One record as a JSON object: the CSV's columns, with `null` for what is unknown.
    public struct JSONRecord: Sendable, Hashable, Codable {
        enum CodingKeys: String, CodingKey {
            case callID = "call_id"
            case direction, from, to
            case destinationClass = "class"
            case account, source, trunk, start, answer, end, duration, billsec, disposition, cause, hangup, rule, media, identity
        }

        public var callID: String
        public var direction: String
        public var from: String
        public var to: String
        public var destinationClass: String?
        public var account: String
        public var source: String
        public var trunk: String?
        /// ISO 8601 in UTC with milliseconds.
        public var start: String
        public var answer: String?
        public var end: String
        /// Seconds, rounded to the millisecond.
        public var duration: Double
        public var billsec: Double
        public var disposition: String
        public var cause: Int?
        public var hangup: String?
        public var rule: String?
        /// The anchored media's summary, null when the call's media was not anchored.
        public var media: CallMediaSummary?
        /// The caller identity verdict, null when identity was not verified.
        public var identity: String?

        public init(_ record: CallDetailRecord) {
            callID = record.callID
            direction = record.direction.rawValue
            from = record.from
            to = record.to
            destinationClass = record.destinationClass
            account = record.account
            source = record.source
            trunk = record.trunk
            start = TollgateCDRFormat.timestamp(record.start)
            answer = record.answer.map(TollgateCDRFormat.timestamp)
            end = TollgateCDRFormat.timestamp(record.end)
            duration = TollgateCDRFormat.roundedSeconds(record.duration)
            billsec = TollgateCDRFormat.roundedSeconds(record.billableSeconds)
            disposition = record.disposition.rawValue
            cause = record.cause
            hangup = record.hangup?.rawValue
            rule = record.rule
            media = record.media
            identity = record.identity
        }

        /// Writes every key, the unknown ones as `null`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(callID, forKey: .callID)
            try container.encode(direction, forKey: .direction)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encode(destinationClass, forKey: .destinationClass)
            try container.encode(account, forKey: .account)
            try container.encode(source, forKey: .source)
            try container.encode(trunk, forKey: .trunk)
            try container.encode(start, forKey: .start)
            try container.encode(answer, forKey: .answer)
            try container.encode(end, forKey: .end)
            try container.encode(duration, forKey: .duration)
            try container.encode(billsec, forKey: .billsec)
            try container.encode(disposition, forKey: .disposition)
            try container.encode(cause, forKey: .cause)
            try container.encode(hangup, forKey: .hangup)
            try container.encode(rule, forKey: .rule)
            try container.encode(media, forKey: .media)
            try container.encode(identity, forKey: .identity)
        }
    }

    /// The encoder for one ``JSONRecord``: one line, keys sorted, slashes not escaped.
    public static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Seconds rounded to the millisecond, as JSON carries them.
    static func roundedSeconds(_ value: TimeInterval) -> Double {
        guard value.isFinite else { return 0 }
        return (value * 1000).rounded() / 1000
    }
}
