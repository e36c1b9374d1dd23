import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// Nodes and shared call counters: several gateways on one host may share an SQLite file, and a
/// single gateway keeps its registration like any node. Every admission is one immediate
/// transaction, so admissions are serialised and a limit is never passed.
extension SQLiteStore {
    /// The scope of the counters of one account, and of all accounts together.
    private static let accountScope = "account"
    private static let globalScope = "global"

    public func registerNode(_ node: ClusterNode) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO nodes (name, listeners, version, started, last_seen) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET listeners = excluded.listeners, version = excluded.version, started = excluded.started,
                    last_seen = excluded.last_seen
                """, arguments: [node.name.storableText, node.listeners.storableText, node.version.storableText,
                                 node.started.timeIntervalSince1970, node.lastSeen.timeIntervalSince1970])
        }
    }

    public func heartbeat(node name: String, at date: Date) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE nodes SET last_seen = MAX(last_seen, ?) WHERE name = ?",
                           arguments: [date.timeIntervalSince1970, name.storableText])
            return db.changesCount > 0
        }
    }

    public func nodes() async throws(StoreError) -> [ClusterNode] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT n.name, n.listeners, n.version, n.started, n.last_seen,
                    (SELECT COUNT(*) FROM cluster_calls c WHERE c.node = n.name) AS calls
                FROM nodes n ORDER BY n.name
                """).map { row in
                ClusterNode(name: row["name"], listeners: row["listeners"], version: row["version"],
                            started: Date(timeIntervalSince1970: row["started"]), lastSeen: Date(timeIntervalSince1970: row["last_seen"]),
                            activeCalls: row["calls"])
            }
        }
    }

    public func removeNode(named name: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM cluster_calls WHERE node = ?", arguments: [name.storableText])
            try db.execute(sql: "DELETE FROM nodes WHERE name = ?", arguments: [name.storableText])
            return db.changesCount > 0
        }
    }

    public func admitCall(_ admission: SharedCallAdmission) async throws(StoreError) -> SharedCallVerdict {
        try await write { db in
            let callID = admission.callID.storableText, account = admission.account.storableText
            let now = admission.time.timeIntervalSince1970
            // A call admitted already (a retransmitted INVITE) is not counted twice.
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM cluster_calls WHERE call_id = ?", arguments: [callID]) == true { return .admitted }
            let mine = try Self.counts(db, account: account, at: admission.time, dayStart: admission.dayStart)
            if let (limit, value) = mine.reached(admission.limits) {
                return .refused(SharedCallRefusal(account: admission.account, limit: limit, value: value))
            }
            let all = try Self.counts(db, account: nil, at: admission.time, dayStart: admission.dayStart)
            if let (limit, value) = all.reached(admission.global) {
                return .refused(SharedCallRefusal(account: nil, limit: limit, value: value))
            }
            try db.execute(sql: "INSERT INTO cluster_calls (call_id, account, node, started) VALUES (?, ?, ?, ?)",
                           arguments: [callID, account, admission.node.storableText, now])
            try db.execute(sql: "DELETE FROM shared_call_starts WHERE time <= ?", arguments: [now - 60])
            for (scope, key) in [(Self.accountScope, account), (Self.globalScope, "")] {
                try db.execute(sql: "INSERT INTO shared_call_starts (scope, account, time) VALUES (?, ?, ?)", arguments: [scope, key, now])
                try db.execute(sql: """
                    INSERT INTO shared_day_counts (scope, account, day_start, count) VALUES (?, ?, ?, 1)
                    ON CONFLICT (scope, account) DO UPDATE SET
                        count = CASE WHEN day_start = excluded.day_start THEN count + 1 ELSE 1 END, day_start = excluded.day_start
                    """, arguments: [scope, key, admission.dayStart.timeIntervalSince1970])
            }
            return .admitted
        }
    }

    public func releaseCall(callID: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM cluster_calls WHERE call_id = ?", arguments: [callID.storableText])
            return db.changesCount > 0
        }
    }

    public func releaseCalls(ofNodesSilentSince date: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM cluster_calls WHERE node IN (SELECT name FROM nodes WHERE last_seen < ?)",
                           arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func sharedCounts(account: String?, at date: Date, dayStart: Date) async throws(StoreError) -> SharedCallCounts {
        try await read { db in try Self.counts(db, account: account?.storableText, at: date, dayStart: dayStart) }
    }

    private static func counts(_ db: Database, account: String?, at date: Date, dayStart: Date) throws -> SharedCallCounts {
        let (scope, key) = account.map { (accountScope, $0) } ?? (globalScope, "")
        let concurrent = try account.map {
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cluster_calls WHERE account = ?", arguments: [$0])
        } ?? Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cluster_calls")
        let lastMinute = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM shared_call_starts WHERE scope = ? AND account = ? AND time > ?",
                                          arguments: [scope, key, date.timeIntervalSince1970 - 60])
        let today = try Int.fetchOne(db, sql: "SELECT count FROM shared_day_counts WHERE scope = ? AND account = ? AND day_start = ?",
                                     arguments: [scope, key, dayStart.timeIntervalSince1970])
        return SharedCallCounts(concurrent: concurrent ?? 0, lastMinute: lastMinute ?? 0, today: today ?? 0)
    }
}
