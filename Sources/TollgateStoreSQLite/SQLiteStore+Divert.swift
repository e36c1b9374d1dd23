import Foundation
import GRDB
import TollgateModel
import TollgateStore

extension SQLiteStore {
    public func divert() async throws(StoreError) -> DivertState? {
        try await read { db -> DivertState? in
            guard let row = try Row.fetchOne(db, sql: "SELECT since, actor, reason FROM divert WHERE id = 1") else { return nil }
            return DivertState(since: Date(timeIntervalSince1970: row["since"]), actor: row["actor"], reason: row["reason"])
        }
    }

    public func setDivert(_ state: DivertState?) async throws(StoreError) {
        try await write { db in
            if let state {
                try db.execute(sql: """
                    INSERT INTO divert (id, since, actor, reason) VALUES (1, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET since = excluded.since, actor = excluded.actor, reason = excluded.reason
                    """, arguments: [state.since.timeIntervalSince1970, state.actor.storableText, state.reason.storableText])
            } else {
                try db.execute(sql: "DELETE FROM divert")
            }
        }
    }
}
