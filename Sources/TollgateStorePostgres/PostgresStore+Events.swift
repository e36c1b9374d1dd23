import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

extension PostgresStore {
    public func append(_ events: [SecurityEvent]) async throws(StoreError) {
        guard !events.isEmpty else { return }
        // One statement for the batch; the ids follow the order given. An event whose key is
        // stored already (written again after a lost answer, or replayed from a journal) is skipped.
        var statement = PostgresStatement("INSERT INTO events (key, time, kind, source, rule, detail, severity) VALUES ")
        for (index, event) in events.enumerated() {
            if index > 0 { statement.append(", ") }
            statement.append("(\(statement.bind(event.key)), \(statement.bind(event.time.timeIntervalSince1970)), \(statement.bind(event.kind.storableText)), ")
            statement.append("\(statement.bind(event.source.storableText)), \(statement.bind(event.rule.storableText)), ")
            statement.append("\(statement.bind(event.detail.storableText)), \(statement.bind(event.severity.rawValue)))")
        }
        statement.append(" ON CONFLICT (key) DO NOTHING")
        try await execute(statement)
    }

    public func events(_ query: EventQuery) async throws(StoreError) -> [SecurityEvent] {
        guard query.limit > 0 else { return [] }
        var statement = PostgresStatement("SELECT id, key, time, kind, source, rule, detail, severity FROM events")
        Self.eventFilter(query, into: &statement)
        statement.append(" ORDER BY time DESC, id DESC LIMIT \(statement.bind(query.limit))")
        return try await rows(statement) { cells in
            SecurityEvent(id: try cells.next(Int64.self), key: try cells.next(UUID.self), time: try cells.date(), kind: try cells.next(), source: try cells.next(),
                          rule: try cells.next(), detail: try cells.next(),
                          severity: SecurityEvent.Severity(rawValue: try cells.next(String.self)) ?? .notice)
        }
    }

    public func eventCount(_ query: EventQuery) async throws(StoreError) -> Int {
        var statement = PostgresStatement("SELECT COUNT(*) FROM events")
        Self.eventFilter(query, into: &statement)
        return try await rows(statement) { cells in try cells.next(Int.self) }.first ?? 0
    }

    /// The `WHERE` clause of an event query; the same for listing and counting.
    static func eventFilter(_ query: EventQuery, into statement: inout PostgresStatement) {
        var clauses: [String] = []
        if let since = query.since { clauses.append("time >= \(statement.bind(since.timeIntervalSince1970))") }
        if let kind = query.kind { clauses.append("kind = \(statement.bind(kind))") }
        if let kinds = query.kinds { clauses.append(kinds.isEmpty ? "FALSE" : "kind = ANY(\(statement.bind(kinds)))") }
        if let source = query.source { clauses.append("source = \(statement.bind(source))") }
        if let id = query.id { clauses.append("id = \(statement.bind(id))") }
        if let text = query.text {
            let placeholder = statement.bind(text.storableText)
            clauses.append("(strpos(detail, \(placeholder)) > 0 OR source = \(placeholder) OR rule = \(placeholder))")
        }
        if let before = query.before {
            let time = statement.bind(before.time.timeIntervalSince1970)
            clauses.append("(time < \(time) OR (time = \(time) AND id < \(statement.bind(before.id))))")
        }
        if !clauses.isEmpty { statement.append(" WHERE " + clauses.joined(separator: " AND ")) }
    }

    public func pruneEvents(olderThan date: Date) async throws(StoreError) -> Int {
        var statement = PostgresStatement()
        statement.append("DELETE FROM events WHERE time < \(statement.bind(date.timeIntervalSince1970)) RETURNING 1")
        return try await execute(statement)
    }
}
