import Foundation
import TollgateFraud
import TollgateModel

/// One CDR as a line of the ``CallRecordJournal``: tab-separated fields after a version tag, written
/// by hand because it is written on the event loop for every call (a `Codable` encoding costs
/// tens of microseconds).
///
/// Strings escape `\`, tab, CR and LF as `\\`, `\t`, `\r`, `\n`; an absent optional field is empty
/// and a present one starts with `=` (so an empty string and no value differ); times are seconds
/// since 1970 printed so that they read back exactly.
enum CallRecordJournalLine {
    /// `c2` added the media summary (``CallMediaSummary/text``) as a 17th field, `c3` the identity
    /// verdict as an 18th; `c1` and `c2` lines still read.
    static let version = "c3"
    static let fieldCount = 18

    static func encode(_ record: CallDetailRecord) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        append(version, to: &line)
        field(record.callID, &line)
        field(record.direction.rawValue, &line)
        field(record.from, &line)
        field(record.to, &line)
        optional(record.destinationClass, &line)
        field(record.account, &line)
        field(record.source, &line)
        optional(record.trunk, &line)
        field(record.start.timeIntervalSince1970.description, &line)
        optional(record.answer.map { $0.timeIntervalSince1970.description }, &line)
        field(record.end.timeIntervalSince1970.description, &line)
        optional(record.cause.map { String($0) }, &line)
        field(record.disposition.rawValue, &line)
        optional(record.hangup?.rawValue, &line)
        optional(record.rule, &line)
        optional(record.media?.text, &line)
        optional(record.identity, &line)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// The record on a line (without its newline), or `nil` when the line is not one.
    static func decode(_ line: [UInt8]) -> CallDetailRecord? {
        let parts = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
        let tag = String(decoding: parts[0], as: UTF8.self)
        guard (tag == version && parts.count == fieldCount) || (tag == "c2" && parts.count == 17) || (tag == "c1" && parts.count == 16)
        else { return nil }
        func text(_ index: Int) -> String? { unescape(parts[index]) }
        func optionalText(_ index: Int) -> String?? {
            let part = parts[index]
            if part.isEmpty { return .some(nil) }
            guard part.first == UInt8(ascii: "=") else { return nil }
            return unescape(part.dropFirst()).map { .some($0) }
        }
        func time(_ value: String?) -> Date? { value.flatMap(Double.init).map { Date(timeIntervalSince1970: $0) } }
        guard let callID = text(1), let direction = text(2).flatMap(CallDetailRecord.Direction.init(rawValue:)),
            let from = text(3), let to = text(4), let destinationClass = optionalText(5), let account = text(6),
            let source = text(7), let trunk = optionalText(8), let start = time(text(9)), let answerText = optionalText(10),
            let end = time(text(11)), let causeText = optionalText(12),
            let disposition = text(13).flatMap(CallDetailRecord.Disposition.init(rawValue:)), let hangupText = optionalText(14),
            let rule = optionalText(15)
        else { return nil }
        var answer: Date?
        if let value = answerText {
            guard let parsed = time(value) else { return nil }
            answer = parsed
        }
        var cause: Int?
        if let value = causeText {
            guard let parsed = Int(value) else { return nil }
            cause = parsed
        }
        var hangup: CallDetailRecord.HangupSide?
        if let value = hangupText {
            guard let parsed = CallDetailRecord.HangupSide(rawValue: value) else { return nil }
            hangup = parsed
        }
        var media: CallMediaSummary?
        if parts.count > 16 {
            guard let value = optionalText(16) else { return nil }
            if let value {
                guard let parsed = CallMediaSummary(text: value) else { return nil }
                media = parsed
            }
        }
        var identity: String?
        if parts.count > 17 {
            guard let value = optionalText(17) else { return nil }
            identity = value
        }
        return CallDetailRecord(callID: callID, direction: direction, from: from, to: to, destinationClass: destinationClass,
                                account: account, source: source, trunk: trunk, start: start, answer: answer, end: end, cause: cause,
                                disposition: disposition, hangup: hangup, rule: rule, media: media, identity: identity)
    }

    // MARK: - Fields

    private static func append(_ text: String, to line: inout [UInt8]) {
        line.append(contentsOf: text.utf8)
    }

    private static func field(_ text: String, _ line: inout [UInt8]) {
        line.append(UInt8(ascii: "\t"))
        escape(text, &line)
    }

    private static func optional(_ text: String?, _ line: inout [UInt8]) {
        line.append(UInt8(ascii: "\t"))
        guard let text else { return }
        line.append(UInt8(ascii: "="))
        escape(text, &line)
    }

    /// Appends `text` with `\`, tab, CR and LF escaped (shared with ``CallProgressJournal``).
    static func escape(_ text: String, _ line: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\r"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\n"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            default: line.append(byte)
            }
        }
    }

    /// The text of escaped bytes; `nil` for an unknown or unfinished escape.
    static func unescape(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var escaped = false
        for byte in bytes {
            if escaped {
                switch byte {
                case UInt8(ascii: "\\"): out.append(byte)
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                default: return nil
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        guard !escaped else { return nil }
        return String(decoding: out, as: UTF8.self)
    }
}
