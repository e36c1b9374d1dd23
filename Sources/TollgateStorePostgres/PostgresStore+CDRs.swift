import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

extension PostgresStore {
    static let cdrColumns = """
        id, call_id, direction, from_user, to_number, class, account, source, trunk, start, answer, "end", \
        cause, disposition, hangup, rule, media, identity
        """

    static func cdr(_ cells: inout PostgresCells) throws -> CallDetailRecord {
        let id = try cells.next(Int64.self), callID = try cells.next(String.self), direction = try cells.next(String.self)
        let from = try cells.next(String.self), to = try cells.next(String.self), destinationClass = try cells.next(String?.self)
        let account = try cells.next(String.self), source = try cells.next(String.self), trunk = try cells.next(String?.self)
        let start = try cells.date(), answer = try cells.optionalDate(), end = try cells.date()
        let cause = try cells.next(Int?.self), disposition = try cells.next(String.self), hangup = try cells.next(String?.self)
        let rule = try cells.next(String?.self), media = try cells.next(String?.self), identity = try cells.next(String?.self)
        return CallDetailRecord(
            id: id, callID: callID, direction: CallDetailRecord.Direction(rawValue: direction) ?? .outbound, from: from, to: to,
            destinationClass: destinationClass, account: account, source: source, trunk: trunk, start: start, answer: answer, end: end,
            cause: cause, disposition: CallDetailRecord.Disposition(rawValue: disposition) ?? .failed,
            hangup: hangup.flatMap(CallDetailRecord.HangupSide.init(rawValue:)), rule: rule, media: media.flatMap(CallMediaSummary.init(text:)),
            identity: identity)
    }

    public func appendCDRs(_ records: [CallDetailRecord]) async throws(StoreError) {
        guard !records.isEmpty else { return }
        // One statement may not name a row twice in ON CONFLICT: a batch's repeats are dropped here.
        var seen: Set<CDRKey> = []
        let records = records.filter { seen.insert(CDRKey($0)).inserted }
        // At most 20 parameters a record, so batches stay far below PostgreSQL's 65,535 parameters.
        for start in stride(from: 0, to: records.count, by: 1000) {
            try await execute(Self.insertStatement(records[start..<min(start + 1000, records.count)]))
        }
    }

    static func insertStatement(_ records: ArraySlice<CallDetailRecord>) -> PostgresStatement {
        var statement = PostgresStatement("""
            INSERT INTO cdrs (call_id, direction, from_user, to_number, class, account, source, trunk, start, answer, "end",
                              duration, billsec, cause, disposition, hangup, rule, media, identity) VALUES 
            """)
        for (index, record) in records.enumerated() {
            let values = [
                statement.bind(record.callID.storableText), statement.bind(record.direction.rawValue), statement.bind(record.from.storableText),
                statement.bind(record.to.storableText), statement.bind(record.destinationClass?.storableText),
                statement.bind(record.account.storableText), statement.bind(record.source.storableText), statement.bind(record.trunk?.storableText),
                statement.bind(record.start.timeIntervalSince1970), statement.bind(record.answer?.timeIntervalSince1970),
                statement.bind(record.end.timeIntervalSince1970), statement.bind(record.duration), statement.bind(record.billableSeconds),
                statement.bind(record.cause), statement.bind(record.disposition.rawValue), statement.bind(record.hangup?.rawValue),
                statement.bind(record.rule?.storableText), statement.bind(record.media?.text.storableText), statement.bind(record.identity?.storableText),
            ]
            statement.append((index > 0 ? ", (" : "(") + values.joined(separator: ", ") + ")")
        }
        statement.append(" ON CONFLICT (call_id, start) DO NOTHING")
        return statement
    }

    public func cdrs(_ query: CDRQuery) async throws(StoreError) -> [CallDetailRecord] {
        guard query.limit > 0 else { return [] }
        var statement = PostgresStatement("SELECT \(Self.cdrColumns) FROM cdrs")
        Self.cdrFilter(query, extra: [], into: &statement)
        let order = switch query.order {
        case .newestFirst: "start DESC, id DESC"
        case .oldestFirst: "start, id"
        }
        statement.append(" ORDER BY \(order) LIMIT \(statement.bind(query.limit))")
        return try await rows(statement, Self.cdr)
    }

    public func cdrs(after id: Int64, matching query: CDRQuery, limit: Int) async throws(StoreError) -> [CallDetailRecord] {
        guard limit > 0 else { return [] }
        var statement = PostgresStatement("SELECT \(Self.cdrColumns) FROM cdrs")
        Self.cdrFilter(query, extra: ["id > \(statement.bind(id))"], into: &statement)
        statement.append(" ORDER BY id LIMIT \(statement.bind(limit))")
        return try await rows(statement, Self.cdr)
    }

    public func cdrCount(_ query: CDRQuery) async throws(StoreError) -> Int {
        var statement = PostgresStatement("SELECT COUNT(*) FROM cdrs")
        Self.cdrFilter(query, extra: [], into: &statement)
        return try await rows(statement) { cells in try cells.next(Int.self) }.first ?? 0
    }

    /// The `WHERE` clause of a CDR query, after the clauses in `extra`.
    static func cdrFilter(_ query: CDRQuery, extra: [String], into statement: inout PostgresStatement) {
        var clauses = extra
        if let since = query.since { clauses.append("start >= \(statement.bind(since.timeIntervalSince1970))") }
        if let until = query.until { clauses.append("start < \(statement.bind(until.timeIntervalSince1970))") }
        if let account = query.account { clauses.append("account = \(statement.bind(account.storableText))") }
        if let callID = query.callID { clauses.append("call_id = \(statement.bind(callID.storableText))") }
        if let number = query.number {
            let placeholder = statement.bind(number.storableText)
            clauses.append("(from_user = \(placeholder) OR to_number = \(placeholder))")
        }
        if let before = query.before {
            let time = statement.bind(before.time.timeIntervalSince1970)
            clauses.append("(start < \(time) OR (start = \(time) AND id < \(statement.bind(before.id))))")
        }
        if !clauses.isEmpty { statement.append(" WHERE " + clauses.joined(separator: " AND ")) }
    }
}

/// What makes a call's record one row: its Call-ID and start.
struct CDRKey: Hashable {
    let callID: String
    let start: Double

    init(_ record: CallDetailRecord) {
        callID = record.callID.storableText
        start = record.start.timeIntervalSince1970
    }
}
