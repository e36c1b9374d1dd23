import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// The schema of the SQLite store, as a list of named migrations applied in order.
///
/// A migration, once released, never changes: a later schema is a new migration appended at the end.
/// GRDB records the applied names in `grdb_migrations`; a database that lists a name this build does
/// not know was written by a newer Tollgate and is refused (``StoreError/newerSchema(known:found:)``)
/// rather than written with an older idea of its tables.
///
/// Times are stored as Unix seconds (`REAL`), so they sort and compare in SQL and use the indexes.
///
/// Migrations so far:
/// - `v1-events-bans`: `events`, `bans`, and `store_meta` with `bans_revision`.
/// - `v2-cdrs-accounts`: `cdrs` (one row per ended call), `account_suspensions` (one row per account,
///   kept after the suspension is lifted), `account_snapshots` (the last counters the gateway read per
///   account), `account_resets` (operators' requests to zero an account's counters), and
///   `accounts_revision` in `store_meta`.
/// - `v3-cdr-media`: the `media` column of `cdrs`.
/// - `v4-anomaly-allowances`: `anomaly_allowances` (account, destination, when given).
/// - `v5-cdr-identity`: the `identity` column of `cdrs` (the caller identity verdict).
/// - `v6-inventory`: `inventory` (address, extension, role, User-Agent, vendor, model, firmware,
///   first and last seen, when the firmware changed; owner, department, location, notes).
/// - `v7-drill-results`: `drill_results` (each failover drill's result, as JSON).
/// - `v8-users`: `users` (console users: role, password hash, TOTP secret and last step, pending enrolment).
/// - `v9-audit-log`: `audit_log` (append-only, hash-chained) and `audit_head` (its last hash and count).
/// - `v10-sessions-tokens`: `sessions` (console sessions by the SHA-256 of their ID) and `api_tokens`
///   (REST API bearer tokens by the SHA-256 of the token).
/// - `v11-console-indexes`: indexes for the console's searches (CDRs by number, events by source).
/// - `v12-divert`: `divert` (one row while "divert now" is on: since, who, why).
/// - `v13-alarm-acknowledgements`: `alarm_acknowledgements` (event id, when, who, note).
/// - `v14-ban-revisions`: the `revision` of `bans` (the bans revision that last changed the record),
///   so a reader catches up on the records changed since the revision it last saw.
/// - `v15-cluster`: `nodes` (each gateway's registration and heartbeat), `cluster_calls` (the calls
///   admitted against the shared limits, by the node holding each), `shared_call_starts` (when calls
///   began, for the last minute) and `shared_day_counts` (calls begun today, per account and for all).
/// - `v16-cdr-keys`: one row per call's record, by Call-ID and start (`cdrs_call`), so a journal
///   replayed after a crash stores nothing twice; repeats an earlier replay left are removed first.
/// - `v17-event-keys`: each event's `key` (a UUID made where it happened), unique (`events_key`), so
///   an event written again after a lost answer or replayed from the journal is stored once; events
///   stored before it get a key of their own.
enum StoreMigrations {
    /// The name of the first migration: events, bans and the store's own counters.
    static let eventsAndBans = "v1-events-bans"

    /// The name of the second migration: CDRs, account suspensions, snapshots and counter resets.
    static let cdrsAndAccounts = "v2-cdrs-accounts"
    static let cdrMedia = "v3-cdr-media"
    /// Operators' allowances of destinations that were held as an account's first calls there.
    static let anomalyAllowances = "v4-anomaly-allowances"
    static let cdrIdentity = "v5-cdr-identity"
    static let inventory = "v6-inventory"
    static let drillResults = "v7-drill-results"
    static let users = "v8-users"
    static let auditLog = "v9-audit-log"
    static let sessionsAndTokens = "v10-sessions-tokens"
    static let consoleIndexes = "v11-console-indexes"
    static let divert = "v12-divert"
    static let alarmAcknowledgements = "v13-alarm-acknowledgements"
    static let banRevisions = "v14-ban-revisions"
    static let cluster = "v15-cluster"
    static let cdrKeys = "v16-cdr-keys"
    static let eventKeys = "v17-event-keys"

    /// The key in `store_meta` of the number bumped whenever a ban is saved or lifted.
    static let bansRevisionKey = "bans_revision"

    /// The key in `store_meta` of the number bumped whenever a suspension is saved or lifted or a
    /// counter reset is requested.
    static let accountsRevisionKey = "accounts_revision"

    /// Every migration this build knows, in order.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(eventsAndBans) { db in
            try db.execute(
                sql: """
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
                    """)
            try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES (?, 0)", arguments: [bansRevisionKey])
        }
        migrator.registerMigration(cdrsAndAccounts) { db in
            try db.execute(
                sql: """
                    CREATE TABLE cdrs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        call_id TEXT NOT NULL,
                        direction TEXT NOT NULL,
                        from_user TEXT NOT NULL,
                        to_number TEXT NOT NULL,
                        class TEXT,
                        account TEXT NOT NULL,
                        source TEXT NOT NULL,
                        trunk TEXT,
                        start REAL NOT NULL,
                        answer REAL,
                        "end" REAL NOT NULL,
                        duration REAL NOT NULL,
                        billsec REAL NOT NULL,
                        cause INTEGER,
                        disposition TEXT NOT NULL,
                        hangup TEXT,
                        rule TEXT
                    );
                    CREATE INDEX cdrs_start ON cdrs (start);
                    CREATE INDEX cdrs_account_start ON cdrs (account, start);

                    CREATE TABLE account_suspensions (
                        account TEXT PRIMARY KEY NOT NULL,
                        since REAL NOT NULL,
                        rule TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        lifted REAL
                    );

                    CREATE TABLE account_snapshots (
                        account TEXT PRIMARY KEY NOT NULL,
                        account_group TEXT,
                        class_of_service TEXT NOT NULL,
                        calls_last_minute INTEGER NOT NULL,
                        concurrent_calls INTEGER NOT NULL,
                        calls_today INTEGER NOT NULL,
                        international_last_hour INTEGER NOT NULL,
                        short_call_run INTEGER NOT NULL,
                        short_call_prefix TEXT,
                        minutes_today REAL NOT NULL,
                        time REAL NOT NULL
                    );

                    CREATE TABLE account_resets (
                        account TEXT PRIMARY KEY NOT NULL,
                        requested REAL NOT NULL
                    );
                    """)
            try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES (?, 0)", arguments: [accountsRevisionKey])
        }
        migrator.registerMigration(cdrMedia) { db in
            // The media summary of anchored calls (codec, packets, bytes and losses each way, SRTP or not, drops).
            try db.execute(sql: "ALTER TABLE cdrs ADD COLUMN media TEXT")
        }
        migrator.registerMigration(anomalyAllowances) { db in
            try db.execute(sql: """
                CREATE TABLE anomaly_allowances (
                    account TEXT NOT NULL,
                    destination TEXT NOT NULL,
                    given REAL NOT NULL,
                    PRIMARY KEY (account, destination)
                );
                """)
        }
        migrator.registerMigration(cdrIdentity) { db in
            // The STIR/SHAKEN verdict of calls from trunks (`verified-A`, `failed:…`, `absent`).
            try db.execute(sql: "ALTER TABLE cdrs ADD COLUMN identity TEXT")
        }
        migrator.registerMigration(inventory) { db in
            try db.execute(sql: """
                CREATE TABLE inventory (
                    address TEXT NOT NULL,
                    extension TEXT NOT NULL,
                    role TEXT NOT NULL,
                    user_agent TEXT,
                    vendor TEXT,
                    model TEXT,
                    firmware TEXT,
                    first_seen REAL NOT NULL,
                    last_seen REAL NOT NULL,
                    firmware_changed REAL,
                    owner TEXT,
                    department TEXT,
                    location TEXT,
                    notes TEXT,
                    PRIMARY KEY (address, extension)
                );
                """)
        }
        migrator.registerMigration(drillResults) { db in
            try db.execute(sql: """
                CREATE TABLE drill_results (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    result TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration(users) { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY NOT NULL,
                    role TEXT NOT NULL,
                    password_hash TEXT,
                    totp_secret TEXT,
                    totp_last_step INTEGER,
                    enrolment_token_hash TEXT,
                    enrolment_expires REAL,
                    created REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration(auditLog) { db in
            try db.execute(sql: """
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    actor TEXT NOT NULL,
                    source TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    before TEXT,
                    after TEXT,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                """)
            // The chain's head: an entry deleted from the end is found by comparing with it.
            try db.execute(sql: """
                CREATE TABLE audit_head (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    hash TEXT NOT NULL,
                    count INTEGER NOT NULL
                );
                """)
            try db.execute(sql: "INSERT INTO audit_head (id, hash, count) VALUES (1, ?, 0)", arguments: [AuditLogEntry.genesis])
        }
        migrator.registerMigration(sessionsAndTokens) { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    id_hash TEXT PRIMARY KEY NOT NULL,
                    user TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    csrf_token TEXT NOT NULL,
                    created REAL NOT NULL,
                    last_seen REAL NOT NULL,
                    source TEXT NOT NULL,
                    user_agent TEXT NOT NULL
                );
                CREATE INDEX sessions_user ON sessions (user);
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    user TEXT NOT NULL,
                    role TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    created REAL NOT NULL,
                    expires REAL NOT NULL,
                    last_used REAL
                );
                """)
        }
        migrator.registerMigration(consoleIndexes) { db in
            try db.execute(sql: """
                CREATE INDEX cdrs_from_start ON cdrs (from_user, start);
                CREATE INDEX cdrs_to_start ON cdrs (to_number, start);
                """)
        }
        migrator.registerMigration(divert) { db in
            try db.execute(sql: """
                CREATE TABLE divert (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    since REAL NOT NULL,
                    actor TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration(alarmAcknowledgements) { db in
            try db.execute(sql: """
                CREATE TABLE alarm_acknowledgements (
                    event_id INTEGER PRIMARY KEY NOT NULL,
                    time REAL NOT NULL,
                    actor TEXT NOT NULL,
                    note TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration(banRevisions) { db in
            try db.execute(sql: """
                ALTER TABLE bans ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX bans_revision ON bans (revision);
                """)
        }
        migrator.registerMigration(cluster) { db in
            try db.execute(sql: """
                CREATE TABLE nodes (
                    name TEXT PRIMARY KEY NOT NULL,
                    listeners TEXT NOT NULL,
                    version TEXT NOT NULL,
                    started REAL NOT NULL,
                    last_seen REAL NOT NULL
                );
                CREATE TABLE cluster_calls (
                    call_id TEXT PRIMARY KEY NOT NULL,
                    account TEXT NOT NULL,
                    node TEXT NOT NULL,
                    started REAL NOT NULL
                );
                CREATE INDEX cluster_calls_account ON cluster_calls (account);
                CREATE INDEX cluster_calls_node ON cluster_calls (node);
                CREATE TABLE shared_call_starts (
                    scope TEXT NOT NULL,
                    account TEXT NOT NULL,
                    time REAL NOT NULL
                );
                CREATE INDEX shared_call_starts_account ON shared_call_starts (scope, account, time);
                CREATE INDEX shared_call_starts_time ON shared_call_starts (time);
                CREATE TABLE shared_day_counts (
                    scope TEXT NOT NULL,
                    account TEXT NOT NULL,
                    day_start REAL NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (scope, account)
                );
                """)
        }
        migrator.registerMigration(cdrKeys) { db in
            try db.execute(sql: """
                DELETE FROM cdrs WHERE id NOT IN (SELECT MIN(id) FROM cdrs GROUP BY call_id, start);
                CREATE UNIQUE INDEX cdrs_call ON cdrs (call_id, start);
                """)
        }
        migrator.registerMigration(eventKeys) { db in
            try db.execute(sql: "ALTER TABLE events ADD COLUMN key TEXT")
            let unkeyed = try Int64.fetchAll(db, sql: "SELECT id FROM events")
            let update = try db.makeStatement(sql: "UPDATE events SET key = ? WHERE id = ?")
            for id in unkeyed { try update.execute(arguments: [UUID().uuidString, id]) }
            try db.execute(sql: "CREATE UNIQUE INDEX events_key ON events (key)")
        }
        return migrator
    }()
}
