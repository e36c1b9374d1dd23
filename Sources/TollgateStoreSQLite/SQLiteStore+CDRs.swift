import Foundation
import GRDB
import TollgateModel
import TollgateStore

extension SQLiteStore {
    public func appendCDRs(_ records: [CallDetailRecord]) async throws(StoreError) {
        guard !records.isEmpty else { return }
        try await write { db in try Self.insert(records, into: db) }
    }

    /// ``appendCDRs(_:)`` on the calling thread, blocking it until the records are committed; for a
    /// writer thread of its own.
    public func appendCDRsBlocking(_ records: [CallDetailRecord]) throws(StoreError) {
        guard !records.isEmpty else { return }
        try writeBlocking { db in try Self.insert(records, into: db) }
    }

    /// Inserts rows with one prepared statement, reused from the connection's cache (the same row
    /// ``CDRRecord`` describes, without encoding each record through `Codable`).
    private static func insert(_ records: [CallDetailRecord], into db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO cdrs (call_id, direction, from_user, to_number, class, account, source, trunk, start, answer, "end",
                              duration, billsec, cause, disposition, hangup, rule, media, identity)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for record in records {
            let row = CDRRecord(record)
            try statement.execute(arguments: [
                row.callID, row.direction, row.from, row.to, row.destinationClass, row.account, row.source, row.trunk, row.start,
                row.answer, row.end, row.duration, row.billsec, row.cause, row.disposition, row.hangup, row.rule, row.media,
                row.identity,
            ])
        }
    }

    public func cdrs(_ query: CDRQuery) async throws(StoreError) -> [CallDetailRecord] {
        guard query.limit > 0 else { return [] }
        let (filter, filterArguments) = Self.cdrFilter(query)
        let order = switch query.order {
        case .newestFirst: "start DESC, id DESC"
        case .oldestFirst: "start, id"
        }
        let rows = try await read { db in
            try CDRRecord.fetchAll(
                db, sql: "SELECT * FROM cdrs\(Self.whereClause(filter)) ORDER BY \(order) LIMIT ?",
                arguments: filterArguments + [query.limit])
        }
        return rows.map(\.record)
    }

    public func cdrs(after id: Int64, matching query: CDRQuery, limit: Int) async throws(StoreError) -> [CallDetailRecord] {
        guard limit > 0 else { return [] }
        let (filter, filterArguments) = Self.cdrFilter(query)
        let sql = "SELECT * FROM cdrs\(Self.whereClause(["id > ?"] + filter)) ORDER BY id LIMIT ?"
        let arguments: StatementArguments = [id] + filterArguments + [limit]
        let rows = try await read { db in try CDRRecord.fetchAll(db, sql: sql, arguments: arguments) }
        return rows.map(\.record)
    }

    public func cdrCount(_ query: CDRQuery) async throws(StoreError) -> Int {
        let (filter, arguments) = Self.cdrFilter(query)
        return try await read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cdrs\(Self.whereClause(filter))", arguments: arguments)
        } ?? 0
    }

    /// The conditions of `query` (all but its limit and order) and their arguments.
    private static func cdrFilter(_ query: CDRQuery) -> (clauses: [String], arguments: StatementArguments) {
        var clauses: [String] = []
        var arguments = StatementArguments()
        if let since = query.since {
            clauses.append("start >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        if let until = query.until {
            clauses.append("start < ?")
            arguments += [until.timeIntervalSince1970]
        }
        if let account = query.account {
            clauses.append("account = ?")
            arguments += [account.storableText]
        }
        if let callID = query.callID {
            clauses.append("call_id = ?")
            arguments += [callID.storableText]
        }
        if let number = query.number {
            clauses.append("(from_user = ? OR to_number = ?)")
            arguments += [number.storableText, number.storableText]
        }
        if let before = query.before {
            clauses.append("(start < ? OR (start = ? AND id < ?))")
            arguments += [before.time.timeIntervalSince1970, before.time.timeIntervalSince1970, before.id]
        }
        return (clauses, arguments)
    }

    private static func whereClause(_ clauses: [String]) -> String {
        clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    }
}
