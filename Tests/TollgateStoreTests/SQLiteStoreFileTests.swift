import Foundation
import GRDB
import Testing
import TollgateStore
import TollgateModel
import TollgateStoreSQLite

@Suite("SQLiteStore on a file: schema, migrations, sharing and bad files")
struct SQLiteStoreFileTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func names(_ db: Database, type: String) throws -> Set<String> {
        try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'", arguments: [type])
    }

    static let allMigrations = ["v1-events-bans", "v2-cdrs-accounts", "v3-cdr-media", "v4-anomaly-allowances", "v5-cdr-identity", "v6-inventory", "v7-drill-results", "v8-users", "v9-audit-log", "v10-sessions-tokens", "v11-console-indexes", "v12-divert", "v13-alarm-acknowledgements", "v14-ban-revisions", "v15-cluster", "v16-cdr-keys", "v17-event-keys"]

    @Test("opening a new file creates it, in WAL mode, with every table of every migration and their indexes")
    func schema() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tollgate.db")
        let store = try SQLiteStore(path: path)
        #expect(store.path == path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try await store.appliedMigrations() == Self.allMigrations)

        let queue = try DatabaseQueue(path: path)
        try await queue.read { db in
            #expect(try Self.names(db, type: "table") == [
                "events", "bans", "store_meta", "grdb_migrations", "cdrs", "account_suspensions", "account_snapshots", "account_resets",
                "anomaly_allowances", "inventory", "drill_results", "users", "audit_log", "audit_head", "sessions", "api_tokens", "divert", "alarm_acknowledgements",
                "nodes", "cluster_calls", "shared_call_starts", "shared_day_counts",
            ])
            #expect(try Self.names(db, type: "index") == [
                "events_time", "events_kind_time", "events_source_time", "bans_until", "cdrs_start", "cdrs_account_start", "sessions_user", "cdrs_from_start", "cdrs_to_start", "bans_revision",
                "cluster_calls_account", "cluster_calls_node", "shared_call_starts_account", "shared_call_starts_time", "cdrs_call", "events_key",
            ])
            #expect(try Int.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'accounts_revision'") == 0)
            #expect(try db.columns(in: "cdrs").map(\.name) == [
                "id", "call_id", "direction", "from_user", "to_number", "class", "account", "source", "trunk", "start", "answer", "end",
                "duration", "billsec", "cause", "disposition", "hangup", "rule", "media", "identity",
            ])
            #expect(try db.columns(in: "account_suspensions").map(\.name) == ["account", "since", "rule", "reason", "lifted"])
            #expect(try db.primaryKey("account_suspensions").columns == ["account"])
            #expect(try db.primaryKey("account_snapshots").columns == ["account"])
            #expect(try db.columns(in: "account_resets").map(\.name) == ["account", "requested"])
            #expect(try db.columns(in: "anomaly_allowances").map(\.name) == ["account", "destination", "given"])
            #expect(try db.primaryKey("anomaly_allowances").columns == ["account", "destination"])
            let cdrPlan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM cdrs WHERE account = 'a' AND start >= 0")
                .map { $0["detail"] as String? ?? "" }.joined()
            #expect(cdrPlan.contains("cdrs_account_start"), "\(cdrPlan)")
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'bans_revision'") == 0)
            let columns = try db.columns(in: "events").map(\.name)
            #expect(columns == ["id", "time", "kind", "source", "rule", "detail", "severity", "key"])
            let banColumns = try db.columns(in: "bans").map(\.name)
            #expect(banColumns == ["source", "since", "until", "rule", "reason", "offences", "origin", "revision"])
            #expect(try db.primaryKey("bans").columns == ["source"])
            // Times are Unix seconds, so a range query on time uses its index.
            let detail = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM events WHERE kind = 'ban' AND time >= 0")
                .map { $0["detail"] as String? ?? "" }.joined()
            #expect(detail.contains("events_kind_time"), "\(detail)")
        }
    }

    @Test("re-opening an existing file applies nothing and keeps the data and the revision")
    func reopen() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tollgate.db")
        do {
            let store = try SQLiteStore(path: path)
            try await store.append([SecurityEvent(time: Self.now, kind: "ban", source: "192.0.2.1", rule: "r", detail: "d")])
            try await store.saveBan(Ban(source: "192.0.2.1", since: Self.now, until: Self.now.addingTimeInterval(60), rule: "r", reason: "x"))
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.appliedMigrations() == Self.allMigrations)
        #expect(try await reopened.events(EventQuery()).count == 1)
        #expect(try await reopened.ban(source: "192.0.2.1") != nil)
        #expect(try await reopened.bansRevision() == 1)
        let again = try SQLiteStore(path: path)
        #expect(try await again.bansRevision() == 1)
    }

    @Test("a database with a migration this build does not know is refused as newer, and left untouched")
    func newerSchema() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tollgate.db")
        _ = try SQLiteStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
        }
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error == .newerSchema(known: Self.allMigrations, found: Self.allMigrations + ["v9-from-the-future"]))
        #expect(error?.description.contains("v9-from-the-future") == true)
        let identifiers = try await queue.read { db in try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(identifiers == Set(Self.allMigrations + ["v9-from-the-future"]))
    }

    @Test("two stores on one file, like the gateway and the command line, see each other's writes")
    func twoInstances() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tollgate.db")
        let gateway = try SQLiteStore(path: path)
        let command = try SQLiteStore(path: path)

        try await gateway.append([SecurityEvent(time: Self.now, kind: "scanner", source: "192.0.2.1", rule: "r", detail: "d")])
        #expect(try await command.events(EventQuery(kind: "scanner")).map(\.source) == ["192.0.2.1"])

        let revision = try await gateway.bansRevision()
        try await command.saveBan(Ban(source: "192.0.2.9", since: Self.now, until: Self.now.addingTimeInterval(3600), rule: "operator",
                                      reason: "manual", origin: .operator_))
        #expect(try await gateway.bansRevision() > revision)
        #expect(try await gateway.activeBans(at: Self.now).map(\.source) == ["192.0.2.9"])
        #expect(try await gateway.liftBan(source: "192.0.2.9", at: Self.now))
        #expect(try await command.activeBans(at: Self.now).isEmpty)
    }

    @Test("two stores on one file writing at the same time both succeed")
    func concurrentWriters() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tollgate.db")
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in [first, second].enumerated() {
                group.addTask {
                    for round in 0..<50 {
                        try await store.append([SecurityEvent(time: Self.now, kind: "k\(index)", source: "192.0.2.\(round)", rule: "r", detail: "d")])
                        try await store.saveBan(Ban(source: "192.0.2.\(round)", since: Self.now, until: Self.now.addingTimeInterval(60),
                                                    rule: "r", reason: "x"))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await first.events(EventQuery(kind: "k0")).count == 50)
        #expect(try await second.events(EventQuery(kind: "k1")).count == 50)
        #expect(try await first.bansRevision() == 100)
    }

    @Test("a file that is not a SQLite database gives cannotOpen naming the path, not a crash")
    func garbageFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tollgate.db")
        try Data(String(repeating: "this is not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        guard case .cannotOpen(let reportedPath, let reason) = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(reason.contains("not a database"), "\(reason)")
        #expect(error?.description.hasPrefix("cannot open the store at \(path)") == true)
    }

    @Test("a folder at the path gives cannotOpen")
    func folderAtPath() throws {
        let folder = try TemporaryFolder()
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: folder.url.path) }
        guard case .cannotOpen = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
    }

    @Test("missing folders on the path are created")
    func createsFolders() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("var/lib/tollgate/tollgate.db")
        let store = try SQLiteStore(path: path)
        try await store.append([SecurityEvent(time: Self.now, kind: "k", source: "", rule: "r", detail: "d")])
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("an in-memory store migrates and works like a file")
    func inMemory() async throws {
        let store = try SQLiteStore.inMemory()
        #expect(store.path == ":memory:")
        #expect(try await store.appliedMigrations() == Self.allMigrations)
    }
}
