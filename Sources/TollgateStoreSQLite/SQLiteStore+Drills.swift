import Foundation
import GRDB
import TollgateModel
import TollgateStore

extension SQLiteStore {
    public func saveDrillResult(_ result: FailoverDrillResult) async throws(StoreError) {
        let text = try result.storedText()
        try await write { db in
            try db.execute(sql: "INSERT INTO drill_results (time, result) VALUES (?, ?)", arguments: [result.time.timeIntervalSince1970, text])
        }
    }

    public func lastDrillResult() async throws(StoreError) -> FailoverDrillResult? {
        let text = try await read { db in try String.fetchOne(db, sql: "SELECT result FROM drill_results ORDER BY time DESC, id DESC LIMIT 1") }
        return text.flatMap(FailoverDrillResult.init(storedText:))
    }
}
