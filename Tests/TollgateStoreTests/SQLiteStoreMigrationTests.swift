import Foundation
import GRDB
import Testing
import TollgateStore
import TollgateModel
import TollgateStoreSQLite

@Suite("SQLiteStore migrations: a file written by an older build")
struct SQLiteStoreMigrationTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// A database as the first released build left it: the `v1-events-bans` schema, recorded as applied,
    /// with one event, one ban and a bans revision of 3.
    static func writeVersion1File(at path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations (identifier) VALUES ('v1-events-bans');
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time REAL NOT NULL,
                        kind TEXT NOT NULL,
                        source TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        severity TEXT NOT NULL
                    );
                    CREATE INDEX events_time ON events (time);
                    CREATE INDEX events_kind_time ON events (kind, time);
                    CREATE INDEX events_source_time ON events (source, time);
                    CREATE TABLE bans (
                        source TEXT PRIMARY KEY NOT NULL,
                        since REAL NOT NULL,
                        until REAL NOT NULL,
                        rule TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        offences INTEGER NOT NULL,
                        origin TEXT NOT NULL
                    );
                    CREATE INDEX bans_until ON bans (until);
                    CREATE TABLE store_meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value INTEGER NOT NULL
                    );
                    INSERT INTO store_meta (key, value) VALUES ('bans_revision', 3);
                    INSERT INTO events (time, kind, source, rule, detail, severity)
                        VALUES (1750000000, 'scanner', '192.0.2.1', 'scanner-fingerprint', 'User-Agent friendly-scanner', 'warning');
                    INSERT INTO bans (source, since, until, rule, reason, offences, origin)
                        VALUES ('192.0.2.1', 1750000000, 1750003600, 'scanner-fingerprint', 'SIPVicious', 2, 'automatic');
                    """)
        }
    }

    @Test("opening a v1 file applies every later migration: events, bans and the bans revision stay, the new tables are added and work")
    func fromVersion1() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tollgate.db")
        try Self.writeVersion1File(at: path)

        let store = try SQLiteStore(path: path)
        #expect(try await store.appliedMigrations() == ["v1-events-bans", "v2-cdrs-accounts", "v3-cdr-media", "v4-anomaly-allowances", "v5-cdr-identity", "v6-inventory", "v7-drill-results", "v8-users", "v9-audit-log", "v10-sessions-tokens", "v11-console-indexes", "v12-divert", "v13-alarm-acknowledgements", "v14-ban-revisions", "v15-cluster", "v16-cdr-keys", "v17-event-keys"])
        let events = try await store.events(EventQuery())
        #expect(events.map(\.detail) == ["User-Agent friendly-scanner"])
        #expect(events.first?.severity == .warning)
        #expect(try await store.events(EventQuery()).map(\.key) == events.map(\.key), "an event stored before keys were kept is given one, kept")
        let ban = try #require(try await store.ban(source: "192.0.2.1"))
        #expect(ban.offences == 2)
        #expect(ban.until == Self.now.addingTimeInterval(3600))
        #expect(try await store.bansRevision() == 3)
        #expect(try await store.accountsRevision() == 0)

        try await store.appendCDRs([
            CallDetailRecord(callID: "c1", direction: .outbound, from: "1001", to: "441632960001", account: "1001", source: "10.0.0.5",
                             start: Self.now, end: Self.now.addingTimeInterval(5), disposition: .failed)
        ])
        try await store.saveSuspension(AccountSuspension(account: "1001", since: Self.now, rule: "operator", reason: "test"))
        #expect(try await store.cdrCount(CDRQuery()) == 1)
        #expect(try await store.activeSuspensions().map(\.account) == ["1001"])
        #expect(try await store.accountsRevision() == 1)
        #expect(try await store.bansRevision() == 3, "the bans revision is its own counter")

        let queue = try DatabaseQueue(path: path)
        let tables = try await queue.read { db in
            try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        }
        #expect(tables.isSuperset(of: ["cdrs", "account_suspensions", "account_snapshots", "account_resets", "events", "bans"]))
    }

    @Test("CDRs, suspensions, snapshots and reset requests written to a file are there after reopening it")
    func survivesReopening() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tollgate.db")
        let record = CallDetailRecord(
            callID: "a84b4c76e66710@pbx", direction: .outbound, from: "1001", to: "0041446681800", destinationClass: "international",
            account: "1001", source: "10.0.0.5", trunk: "carrier", start: Self.now, answer: Self.now.addingTimeInterval(4.25),
            end: Self.now.addingTimeInterval(64.5), cause: 200, disposition: .answered, hangup: .caller, rule: nil)
        let snapshot = AccountSnapshot(
            account: "1001", group: "sales", classOfService: "international", callsLastMinute: 1, concurrentCalls: 0, callsToday: 7,
            internationalLastHour: 2, shortCallRun: 0, shortCallPrefix: nil, minutesToday: 12.5, time: Self.now)
        do {
            let store = try SQLiteStore(path: path)
            try await store.appendCDRs([record])
            try await store.saveSuspension(AccountSuspension(account: "1001", since: Self.now, rule: "daily-minutes", reason: "over"))
            try await store.saveAccountSnapshots([snapshot])
            try await store.requestCounterReset(account: "1001", at: Self.now)
        }
        let reopened = try SQLiteStore(path: path)
        let stored = try await reopened.cdrs(CDRQuery())
        #expect(stored.count == 1)
        var expected = record
        expected.id = stored.first?.id
        #expect(stored == [expected])
        #expect(try await reopened.suspension(account: "1001")?.rule == "daily-minutes")
        #expect(try await reopened.accountSnapshot(account: "1001") == snapshot)
        #expect(try await reopened.counterResets() == ["1001": Self.now])
        #expect(try await reopened.accountsRevision() == 2)
    }
}
