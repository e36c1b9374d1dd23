import Foundation
import TollgateModel

/// One usable row of a CDR file: the call it describes and the line it is on.
public struct CDRRow: Sendable, Hashable {
    /// The line the row starts on (1-based).
    public var line: Int
    public var record: CallDetailRecord

    public init(line: Int, record: CallDetailRecord) {
        self.line = line
        self.record = record
    }
}

/// Reads a CDR file of one ``CDRFormat`` row by row, streaming, into ``CallDetailRecord``s.
///
/// The account is Asterisk's `accountcode` (else `src`), FreeSWITCH's `accountcode` (else
/// `caller_id_number`), or Tollgate's `account`. Header lines are recognised and skipped
/// wherever they appear. A row with the wrong number of columns, a time that cannot be read, an
/// end before its start or an answer outside start…end is returned as ``Item/malformed(_:)``;
/// Tollgate's inbound rows are returned as ``Item/inbound(line:)`` (fraud rules concern calls
/// going out).
public struct CDRFileReader: ~Copyable {
    /// What ``next()`` read.
    public enum Item: Sendable, Hashable {
        case row(CDRRow)
        case malformed(CDRMalformedRow)
        /// An inbound call in Tollgate's export, not analysed.
        case inbound(line: Int)
        case end
    }

    public let format: CDRFormat
    private var csv: CSVRecordReader
    private var clock: CDRClock

    /// Opens `path`; local times in the file are read in `clock`'s time zone.
    ///
    /// - Throws: ``CDRFileError/cannotOpen(path:reason:)``.
    public init(path: String, format: CDRFormat, clock: CDRClock, chunkSize: Int = 1 << 20) throws(CDRFileError) {
        self.format = format
        self.clock = clock
        self.csv = try CSVRecordReader(path: path, chunkSize: chunkSize)
    }

    /// Bytes read so far, and the file's size (0 when unknown).
    public var bytesRead: Int64 { csv.bytesRead }
    public var fileSize: Int64 { csv.fileSize }

    /// Reads the next row.
    ///
    /// - Throws: ``CDRFileError/readFailed(reason:)``.
    public mutating func next() throws(CDRFileError) -> Item {
        while true {
            switch try csv.next() {
            case .end:
                return .end
            case .overflow:
                return .malformed(CDRMalformedRow(line: csv.line, reason: "row longer than \(csv.maxRecordBytes) bytes (an unbalanced quote?)"))
            case .unclosedQuote:
                return .malformed(CDRMalformedRow(line: csv.line, reason: "unclosed quote: the row runs to the end of the file"))
            case .record:
                if isHeader() { continue }
                return parse()
            }
        }
    }

    private func isHeader() -> Bool {
        let name = format.firstHeaderField
        return csv.withField(0) { bytes in bytes.count == name.utf8.count && bytes.elementsEqual(name.utf8) }
    }

    private mutating func parse() -> Item {
        let line = csv.line
        let columns = format.columns
        guard columns.contains(csv.fieldCount) else {
            let expected = columns.count == 1 ? "\(columns.lowerBound)" : "\(columns.lowerBound) to \(columns.upperBound)"
            return .malformed(CDRMalformedRow(line: line, reason: "expected \(expected) columns, found \(csv.fieldCount)"))
        }
        do {
            let record: CallDetailRecord?
            switch format {
            case .asterisk: record = try asterisk()
            case .freeswitch: record = try freeswitch()
            case .tollgate: record = try tollgate()
            }
            guard let record else { return .inbound(line: line) }
            if record.end < record.start {
                return .malformed(CDRMalformedRow(line: line, reason: "end \(text(record.end)) is before start \(text(record.start))"))
            }
            if let answer = record.answer, answer < record.start || answer > record.end {
                return .malformed(CDRMalformedRow(line: line, reason: "answer \(text(answer)) is outside start…end"))
            }
            return .row(CDRRow(line: line, record: record))
        } catch {
            return .malformed(CDRMalformedRow(line: line, reason: error.reason))
        }
    }

    private struct RowError: Error {
        var reason: String
    }

    private func text(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
    }

    // MARK: - Fields

    private mutating func time(_ index: Int, _ name: String, optional: Bool = false) throws(RowError) -> Date? {
        if csv.isEmpty(index) {
            if optional { return nil }
            throw RowError(reason: "empty \(name) time")
        }
        let local = format.hasLocalTimes
        var clock = self.clock
        let date = csv.withField(index) { bytes in local ? clock.readLocal(bytes) : CDRClock.readUTC(bytes) }
        self.clock = clock
        guard let date else { throw RowError(reason: "unparseable \(name) time \"\(printable(csv.string(index)))\"") }
        return date
    }

    /// An integer column (`duration`, `billsec`, `cause`); `nil` when empty.
    private func integer(_ index: Int, _ name: String) throws(RowError) -> Int? {
        if csv.isEmpty(index) { return nil }
        let value = csv.withField(index) { bytes -> Int? in
            guard bytes.count <= 12 else { return nil }
            var value = 0
            for byte in bytes {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let value else { throw RowError(reason: "\(name) \"\(printable(csv.string(index)))\" is not a whole number") }
        return value
    }

    private func printable(_ text: String) -> String {
        let short = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return String(short.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }

    /// The end time in `column`, or start plus the duration when the column is empty.
    private mutating func end(column: Int, start: Date, duration: Int?) throws(RowError) -> Date {
        if let read = try time(column, "end", optional: true) { return read }
        guard let duration else { throw RowError(reason: "empty end time and duration") }
        return start.addingTimeInterval(Double(duration))
    }

    private func fieldEquals(_ index: Int, _ text: StaticString) -> Bool {
        csv.withField(index) { bytes in
            bytes.count == text.utf8CodeUnitCount
                && text.withUTF8Buffer { bytes.elementsEqual($0) }
        }
    }

    // MARK: - Formats

    private mutating func asterisk() throws(RowError) -> CallDetailRecord {
        // accountcode 0, src 1, dst 2, dcontext 3, clid 4, channel 5, dstchannel 6, lastapp 7, lastdata 8,
        // start 9, answer 10, end 11, duration 12, billsec 13, disposition 14, amaflags 15, uniqueid 16, userfield 17
        let start = try time(9, "start")!
        let answerColumn = try time(10, "answer", optional: true)
        let duration = try integer(12, "duration")
        let billsec = try integer(13, "billsec")
        let end = try end(column: 11, start: start, duration: duration)
        let disposition: CallDetailRecord.Disposition
        if fieldEquals(14, "ANSWERED") {
            disposition = .answered
        } else if fieldEquals(14, "NO ANSWER") {
            disposition = .noAnswer
        } else if fieldEquals(14, "BUSY") {
            disposition = .busy
        } else {
            disposition = .failed
        }
        var answer: Date?
        if disposition == .answered {
            answer = answerColumn ?? end.addingTimeInterval(-Double(billsec ?? 0))
        }
        let source = csv.string(1)
        let account = csv.isEmpty(0) ? source : csv.string(0)
        return CallDetailRecord(
            callID: csv.fieldCount == 18 ? csv.string(16) : "", direction: .outbound, from: source, to: csv.string(2),
            account: account, source: csv.string(5), start: start, answer: answer, end: end,
            cause: disposition == .answered ? 200 : nil, disposition: disposition
        )
    }

    private mutating func freeswitch() throws(RowError) -> CallDetailRecord {
        // caller_id_name 0, caller_id_number 1, destination_number 2, context 3, start_stamp 4, answer_stamp 5,
        // end_stamp 6, duration 7, billsec 8, hangup_cause 9, uuid 10, bleg_uuid 11, accountcode 12, read_codec 13, write_codec 14
        let start = try time(4, "start")!
        let answer = try time(5, "answer", optional: true)
        let duration = try integer(7, "duration")
        _ = try integer(8, "billsec")
        let end = try end(column: 6, start: start, duration: duration)
        let disposition: CallDetailRecord.Disposition
        if answer != nil {
            disposition = .answered
        } else if fieldEquals(9, "USER_BUSY") {
            disposition = .busy
        } else if fieldEquals(9, "NO_ANSWER") || fieldEquals(9, "ORIGINATOR_CANCEL") || fieldEquals(9, "NO_USER_RESPONSE") {
            disposition = .noAnswer
        } else {
            disposition = .failed
        }
        let caller = csv.string(1)
        let account = csv.isEmpty(12) ? caller : csv.string(12)
        return CallDetailRecord(
            callID: csv.string(10), direction: .outbound, from: caller, to: csv.string(2), account: account, source: csv.string(3),
            start: start, answer: answer, end: end, cause: disposition == .answered ? 200 : nil, disposition: disposition
        )
    }

    /// `nil` for an inbound call.
    private mutating func tollgate() throws(RowError) -> CallDetailRecord? {
        // call_id 0, direction 1, from 2, to 3, class 4, account 5, source 6, trunk 7, start 8, answer 9, end 10,
        // duration 11, billsec 12, disposition 13, cause 14, hangup 15, rule 16[, media 17[, identity 18]]
        let directionText = csv.string(1)
        guard let direction = CallDetailRecord.Direction(rawValue: directionText) else {
            throw RowError(reason: "unknown direction \"\(printable(directionText))\"")
        }
        if direction == .inbound { return nil }
        let start = try time(8, "start")!
        let answer = try time(9, "answer", optional: true)
        let end = try time(10, "end")!
        _ = try integer(11, "duration")
        _ = try integer(12, "billsec")
        let dispositionText = csv.string(13)
        guard let disposition = CallDetailRecord.Disposition(rawValue: dispositionText) else {
            throw RowError(reason: "unknown disposition \"\(printable(dispositionText))\"")
        }
        let cause = try integer(14, "cause")
        return CallDetailRecord(
            callID: csv.string(0), direction: direction, from: csv.string(2), to: csv.string(3),
            destinationClass: csv.isEmpty(4) ? nil : csv.string(4), account: csv.string(5), source: csv.string(6),
            trunk: csv.isEmpty(7) ? nil : csv.string(7), start: start, answer: disposition == .answered || disposition == .interrupted ? answer : nil, end: end,
            cause: cause, disposition: disposition, hangup: CallDetailRecord.HangupSide(rawValue: csv.string(15)),
            rule: csv.isEmpty(16) ? nil : csv.string(16),
            media: csv.fieldCount > 17 && !csv.isEmpty(17) ? CallMediaSummary(text: csv.string(17)) : nil,
            identity: csv.fieldCount > 18 && !csv.isEmpty(18) ? csv.string(18) : nil
        )
    }
}
