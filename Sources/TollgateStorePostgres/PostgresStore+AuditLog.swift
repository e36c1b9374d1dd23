import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

extension PostgresStore {
    static let auditColumns = "id, time, actor, source, action, target, before, after, previous_hash, hash"

    static func entry(_ cells: inout PostgresCells) throws -> AuditLogEntry {
        AuditLogEntry(id: try cells.next(Int64.self), time: try cells.date(), actor: try cells.next(), source: try cells.next(),
                      action: try cells.next(), target: try cells.next(), before: try cells.next(), after: try cells.next(),
                      previousHash: try cells.next(), hash: try cells.next())
    }

    @discardableResult
    public func appendAuditEntry(actor: String, source: String, action: String, target: String, before: String?, after: String?,
                                 at time: Date) async throws(StoreError) -> AuditLogEntry {
        let actor = actor.storableText, source = source.storableText, action = action.storableText, target = target.storableText
        let before = before?.storableText, after = after?.storableText
        return try await transaction { transaction in
            // The head's row lock orders appends from every node: each entry chains to the one before it.
            let heads: [(String, Int64)] = try await transaction.rows(PostgresStatement("SELECT hash, count FROM audit_head WHERE id = 1 FOR UPDATE")) {
                cells in (try cells.next(String.self), try cells.next(Int64.self))
            }
            let head = heads.first ?? (AuditLogEntry.genesis, 0)
            let hash = AuditChain.hash(previous: head.0, time: time, actor: actor, source: source, action: action, target: target,
                                       before: before, after: after)
            var insert = PostgresStatement("INSERT INTO audit_log (time, actor, source, action, target, before, after, previous_hash, hash) VALUES (")
            insert.append([
                insert.bind(time.timeIntervalSince1970), insert.bind(actor), insert.bind(source), insert.bind(action), insert.bind(target),
                insert.bind(before), insert.bind(after), insert.bind(head.0), insert.bind(hash),
            ].joined(separator: ", ") + ") RETURNING id")
            guard let id = try await transaction.rows(insert, { cells in try cells.next(Int64.self) }).first else {
                throw StoreError.databaseError("the audit log entry was not given an id")
            }
            var update = PostgresStatement()
            update.append("UPDATE audit_head SET hash = \(update.bind(hash)), count = \(update.bind(head.1 + 1)) WHERE id = 1")
            try await transaction.execute(update)
            return AuditLogEntry(id: id, time: time, actor: actor, source: source, action: action, target: target, before: before, after: after,
                                 previousHash: head.0, hash: hash)
        }
    }

    public func auditEntries(since: Date?, limit: Int) async throws(StoreError) -> [AuditLogEntry] {
        var statement = PostgresStatement("SELECT \(Self.auditColumns) FROM audit_log")
        if let since { statement.append(" WHERE time >= \(statement.bind(since.timeIntervalSince1970))") }
        statement.append(" ORDER BY id LIMIT \(statement.bind(max(0, limit)))")
        return try await rows(statement, Self.entry)
    }

    public func auditChain() async throws(StoreError) -> (entries: [AuditLogEntry], headHash: String, headCount: Int) {
        // One snapshot for both reads, so an append between them cannot look like tampering.
        try await transaction { transaction in
            try await transaction.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            let entries = try await transaction.rows(PostgresStatement("SELECT \(Self.auditColumns) FROM audit_log ORDER BY id"), Self.entry)
            let heads: [(String, Int)] = try await transaction.rows(PostgresStatement("SELECT hash, count FROM audit_head WHERE id = 1")) { cells in
                (try cells.next(String.self), try cells.next(Int.self))
            }
            let head = heads.first ?? (AuditLogEntry.genesis, 0)
            return (entries, head.0, head.1)
        }
    }
}
