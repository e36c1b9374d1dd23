import Foundation
import GRDB
import TollgateModel
import TollgateStore

extension SQLiteStore {
    public func acknowledge(_ acknowledgement: AlarmAcknowledgement) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "INSERT INTO alarm_acknowledgements (event_id, time, actor, note) VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
                           arguments: [acknowledgement.eventID, acknowledgement.time.timeIntervalSince1970, acknowledgement.actor.storableText,
                                       acknowledgement.note.storableText])
            return db.changesCount > 0
        }
    }

    public func acknowledgements(eventIDs: [Int64]) async throws(StoreError) -> [Int64: AlarmAcknowledgement] {
        guard !eventIDs.isEmpty else { return [:] }
        let sql = "SELECT event_id, time, actor, note FROM alarm_acknowledgements WHERE event_id IN (\(eventIDs.map { _ in "?" }.joined(separator: ", ")))"
        return try await read { db in
            var result: [Int64: AlarmAcknowledgement] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(eventIDs)) {
                let id: Int64 = row["event_id"]
                result[id] = AlarmAcknowledgement(eventID: id, time: Date(timeIntervalSince1970: row["time"]), actor: row["actor"], note: row["note"])
            }
            return result
        }
    }
}
