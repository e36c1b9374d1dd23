import GRDB

/// The schema of the SQLite store, as a list of named migrations applied in order.
///
/// A migration, once released, never changes: a later schema is a new migration appended at the end.
/// GRDB records the applied names in `grdb_migrations`; a database that lists a name this build does
/// not know was written by a newer Tollgate and is refused (``StoreError/newerSchema(known:found:)``)
/// rather than written with an older idea of its tables.
///
/// Times are stored as Unix seconds (`REAL`), so they sort and compare in SQL and use the indexes.
///
/// Migrations to come, in this order, with the columns DESIGN.md lists:
/// - `cdrs`: call id, from, to, class, trunk, source, start, answer, end, disposition, cause.
/// - `inventory`: address, extension, vendor, model, firmware, owner, last seen.
/// - `users`: console users (name, password hash, TOTP secret, role).
/// - `audit_log`: who did what in the console, and when.
enum StoreMigrations {
    /// The name of the first migration: events, bans and the store's own counters.
    static let eventsAndBans = "v1-events-bans"

    /// The key in `store_meta` of the number bumped whenever a ban is saved or lifted.
    static let bansRevisionKey = "bans_revision"

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
        return migrator
    }()
}
