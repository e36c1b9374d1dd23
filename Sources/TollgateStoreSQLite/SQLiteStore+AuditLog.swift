import Foundation
import GRDB
import TollgateModel
import TollgateStore

extension SQLiteStore {
    @discardableResult
    public func appendAuditEntry(actor: String, source: String, action: String, target: String, before: String?, after: String?,
                                 at time: Date) async throws(StoreError) -> AuditLogEntry {
        try await write { db in
            let head = try Row.fetchOne(db, sql: "SELECT hash, count FROM audit_head WHERE id = 1")
            let previous: String = head?["hash"] ?? AuditLogEntry.genesis
            let count: Int = head?["count"] ?? 0
            let actor = actor.storableText, source = source.storableText, action = action.storableText, target = target.storableText
            let before = before?.storableText, after = after?.storableText
            let hash = AuditChain.hash(previous: previous, time: time, actor: actor, source: source, action: action, target: target,
                                       before: before, after: after)
            try db.execute(sql: """
                INSERT INTO audit_log (time, actor, source, action, target, before, after, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [time.timeIntervalSince1970, actor, source, action, target, before, after, previous, hash])
            let id = db.lastInsertedRowID
            try db.execute(sql: "UPDATE audit_head SET hash = ?, count = ? WHERE id = 1", arguments: [hash, count + 1])
            return AuditLogEntry(id: id, time: time, actor: actor, source: source, action: action, target: target, before: before, after: after,
                                 previousHash: previous, hash: hash)
        }
    }

    public func auditEntries(since: Date?, limit: Int) async throws(StoreError) -> [AuditLogEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE time >= ? ORDER BY id LIMIT ?",
                             arguments: [since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude, max(0, limit)]).map(Self.entry)
        }
    }

    public func auditChain() async throws(StoreError) -> (entries: [AuditLogEntry], headHash: String, headCount: Int) {
        try await read { db in
            let entries = try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id").map(Self.entry)
            let head = try Row.fetchOne(db, sql: "SELECT hash, count FROM audit_head WHERE id = 1")
            return (entries, head?["hash"] ?? AuditLogEntry.genesis, head?["count"] ?? 0)
        }
    }

    private static func entry(_ row: Row) -> AuditLogEntry {
        AuditLogEntry(id: row["id"], time: Date(timeIntervalSince1970: row["time"]), actor: row["actor"], source: row["source"],
                      action: row["action"], target: row["target"], before: row["before"], after: row["after"],
                      previousHash: row["previous_hash"], hash: row["hash"])
    }
}
