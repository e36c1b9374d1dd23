import Foundation
import Logging
import PostgresNIO
import TollgateModel
import TollgateStore

/// The schema of the PostgreSQL store, as named migrations applied in order.
///
/// A released migration never changes; a later schema is a new migration at the end. The applied
/// names are kept in `tollgate_migrations`. A database listing a name this build does not know was
/// written by a newer Tollgate and is refused rather than written with an older idea of its tables.
/// Nodes starting together migrate one at a time: the whole check-and-migrate is one transaction
/// that first takes a transaction-level advisory lock, so the second node finds the work done.
///
/// Times are Unix seconds (`DOUBLE PRECISION`), exactly as the SQLite backend keeps them, so both
/// backends return the same `Date` to the bit and sort and compare in SQL alike.
///
/// - `pg1-schema`: the tables of SQLite's `v1`…`v13` as one (events, bans, store_meta, cdrs, account
///   state, allowances, inventory, drill results, users, audit log and head, sessions, API tokens,
///   divert, alarm acknowledgements). Bans carry the revision that last changed them, so a node
///   catches up on the bans changed since the revision it last saw.
/// - `pg2-cluster`: `nodes` (each gateway's registration and heartbeat), `cluster_calls` (the calls
///   admitted against the shared limits, by the node holding each), `shared_counters` (per account
///   and for all accounts: calls in progress, calls begun in each of the last 61 seconds, calls today),
///   and the functions that admit and release a call in one round trip (`tollgate_admit`,
///   `tollgate_release`), so the all-accounts row is locked for microseconds, not for round trips.
/// - `pg3-event-keys`: each event's `key` (a UUID made where it happened), unique, so an event
///   written again after a lost answer or replayed from a node's journal is stored once; events
///   stored before it get a key of their own.
enum PostgresMigrations {
    /// The advisory lock every migration holds (an arbitrary constant: "TOLLGATE" in ASCII, truncated).
    static let lockKey: Int64 = 0x544F_4C4C_4741_5445

    static let bansRevisionKey = "bans_revision"
    static let accountsRevisionKey = "accounts_revision"

    /// Every migration this build knows, in order: a name and its statements.
    static let all: [(name: String, statements: [String])] = [
        ("pg1-schema", [
            """
            CREATE TABLE events (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time DOUBLE PRECISION NOT NULL,
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                rule TEXT NOT NULL,
                detail TEXT NOT NULL,
                severity TEXT NOT NULL
            )
            """,
            "CREATE INDEX events_time ON events (time, id)",
            "CREATE INDEX events_kind_time ON events (kind, time)",
            "CREATE INDEX events_source_time ON events (source, time)",
            """
            CREATE TABLE bans (
                source TEXT PRIMARY KEY,
                since DOUBLE PRECISION NOT NULL,
                until DOUBLE PRECISION NOT NULL,
                rule TEXT NOT NULL,
                reason TEXT NOT NULL,
                offences INTEGER NOT NULL,
                origin TEXT NOT NULL,
                revision BIGINT NOT NULL
            )
            """,
            "CREATE INDEX bans_until ON bans (until)",
            "CREATE INDEX bans_revision ON bans (revision)",
            "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            "INSERT INTO store_meta (key, value) VALUES ('\(bansRevisionKey)', 0), ('\(accountsRevisionKey)', 0)",
            """
            CREATE TABLE cdrs (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                call_id TEXT NOT NULL,
                direction TEXT NOT NULL,
                from_user TEXT NOT NULL,
                to_number TEXT NOT NULL,
                class TEXT,
                account TEXT NOT NULL,
                source TEXT NOT NULL,
                trunk TEXT,
                start DOUBLE PRECISION NOT NULL,
                answer DOUBLE PRECISION,
                "end" DOUBLE PRECISION NOT NULL,
                duration DOUBLE PRECISION NOT NULL,
                billsec DOUBLE PRECISION NOT NULL,
                cause INTEGER,
                disposition TEXT NOT NULL,
                hangup TEXT,
                rule TEXT,
                media TEXT,
                identity TEXT
            )
            """,
            "CREATE INDEX cdrs_start ON cdrs (start, id)",
            "CREATE INDEX cdrs_account_start ON cdrs (account, start)",
            "CREATE INDEX cdrs_from_start ON cdrs (from_user, start)",
            "CREATE INDEX cdrs_to_start ON cdrs (to_number, start)",
            // A call's record is one row: a journal replayed after a crash, or a batch retried after
            // a commit whose answer was lost, stores nothing twice.
            "CREATE UNIQUE INDEX cdrs_call ON cdrs (call_id, start)",
            """
            CREATE TABLE account_suspensions (
                account TEXT PRIMARY KEY,
                since DOUBLE PRECISION NOT NULL,
                rule TEXT NOT NULL,
                reason TEXT NOT NULL,
                lifted DOUBLE PRECISION
            )
            """,
            """
            CREATE TABLE account_snapshots (
                account TEXT PRIMARY KEY,
                account_group TEXT,
                class_of_service TEXT NOT NULL,
                calls_last_minute INTEGER NOT NULL,
                concurrent_calls INTEGER NOT NULL,
                calls_today INTEGER NOT NULL,
                international_last_hour INTEGER NOT NULL,
                short_call_run INTEGER NOT NULL,
                short_call_prefix TEXT,
                minutes_today DOUBLE PRECISION NOT NULL,
                time DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE TABLE account_resets (account TEXT PRIMARY KEY, requested DOUBLE PRECISION NOT NULL)",
            """
            CREATE TABLE anomaly_allowances (
                account TEXT NOT NULL,
                destination TEXT NOT NULL,
                given DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (account, destination)
            )
            """,
            """
            CREATE TABLE inventory (
                address TEXT NOT NULL,
                extension TEXT NOT NULL,
                role TEXT NOT NULL,
                user_agent TEXT,
                vendor TEXT,
                model TEXT,
                firmware TEXT,
                first_seen DOUBLE PRECISION NOT NULL,
                last_seen DOUBLE PRECISION NOT NULL,
                firmware_changed DOUBLE PRECISION,
                owner TEXT,
                department TEXT,
                location TEXT,
                notes TEXT,
                PRIMARY KEY (address, extension)
            )
            """,
            """
            CREATE TABLE drill_results (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time DOUBLE PRECISION NOT NULL,
                result TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE users (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                password_hash TEXT,
                totp_secret TEXT,
                totp_last_step BIGINT,
                enrolment_token_hash TEXT,
                enrolment_expires DOUBLE PRECISION,
                created DOUBLE PRECISION NOT NULL
            )
            """,
            """
            CREATE TABLE audit_log (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time DOUBLE PRECISION NOT NULL,
                actor TEXT NOT NULL,
                source TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                before TEXT,
                after TEXT,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), hash TEXT NOT NULL, count BIGINT NOT NULL)",
            "INSERT INTO audit_head (id, hash, count) VALUES (1, '\(AuditLogEntry.genesis)', 0)",
            """
            CREATE TABLE sessions (
                id_hash TEXT PRIMARY KEY,
                user_name TEXT NOT NULL,
                stage TEXT NOT NULL,
                csrf_token TEXT NOT NULL,
                created DOUBLE PRECISION NOT NULL,
                last_seen DOUBLE PRECISION NOT NULL,
                source TEXT NOT NULL,
                user_agent TEXT NOT NULL
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_name)",
            """
            CREATE TABLE api_tokens (
                id TEXT PRIMARY KEY,
                user_name TEXT NOT NULL,
                role TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created DOUBLE PRECISION NOT NULL,
                expires DOUBLE PRECISION NOT NULL,
                last_used DOUBLE PRECISION
            )
            """,
            """
            CREATE TABLE divert (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                since DOUBLE PRECISION NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE alarm_acknowledgements (
                event_id BIGINT PRIMARY KEY,
                time DOUBLE PRECISION NOT NULL,
                actor TEXT NOT NULL,
                note TEXT NOT NULL
            )
            """,
        ]),
        ("pg2-cluster", [
            """
            CREATE TABLE nodes (
                name TEXT PRIMARY KEY,
                listeners TEXT NOT NULL,
                version TEXT NOT NULL,
                started DOUBLE PRECISION NOT NULL,
                last_seen DOUBLE PRECISION NOT NULL
            )
            """,
            """
            CREATE TABLE cluster_calls (
                call_id TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                node TEXT NOT NULL,
                started DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX cluster_calls_node ON cluster_calls (node)",
            """
            CREATE TABLE shared_counters (
                scope TEXT NOT NULL,
                account TEXT NOT NULL,
                active INTEGER NOT NULL,
                minute_second BIGINT NOT NULL,
                minute_counts INTEGER[] NOT NULL,
                day_start DOUBLE PRECISION NOT NULL,
                day_count INTEGER NOT NULL,
                PRIMARY KEY (scope, account)
            )
            """,
            // Counts one call in a scope's row while every limit allows it (one conditional upsert:
            // the row lock queues concurrent callers and the condition is checked again on the latest
            // row); NULL when a limit refuses it. The minute is 61 per-second counts, bucket j last
            // holding the second minute_second - ((minute_second - j) mod 61).
            """
            CREATE FUNCTION tollgate_count_call(p_scope text, p_account text, p_second bigint, p_day double precision,
                                                p_active bigint, p_minute bigint, p_per_day bigint) RETURNS boolean
            LANGUAGE sql AS $$
                INSERT INTO shared_counters AS c (scope, account, active, minute_second, minute_counts, day_start, day_count)
                VALUES (p_scope, p_account, 1, p_second,
                        (SELECT array_agg(CASE WHEN g = ((p_second % 61) + 61) % 61 THEN 1 ELSE 0 END ORDER BY g) FROM generate_series(0, 60) AS g),
                        p_day, 1)
                ON CONFLICT (scope, account) DO UPDATE SET
                    active = c.active + 1,
                    minute_counts = ARRAY(
                        SELECT (CASE WHEN c.minute_second - (((c.minute_second - (i - 1)) % 61 + 61) % 61) > p_second - 61 THEN n ELSE 0 END)
                               + CASE WHEN i - 1 = ((p_second % 61) + 61) % 61 THEN 1 ELSE 0 END
                        FROM unnest(c.minute_counts) WITH ORDINALITY AS u(n, i) ORDER BY i),
                    minute_second = GREATEST(c.minute_second, p_second),
                    day_count = CASE WHEN c.day_start = p_day THEN c.day_count + 1 ELSE 1 END,
                    day_start = p_day
                WHERE c.active < p_active
                    AND (SELECT COALESCE(sum(CASE WHEN c.minute_second - (((c.minute_second - (i - 1)) % 61 + 61) % 61) > p_second - 61
                                                  THEN n ELSE 0 END), 0)
                         FROM unnest(c.minute_counts) WITH ORDINALITY AS u(n, i)) < p_minute
                    AND (c.day_start <> p_day OR c.day_count < p_per_day)
                RETURNING true
            $$
            """,
            // Admits a call: holds it, counts it in its account's row, then in the all-accounts row
            // (always in this order); 'admitted', or the scope that refused it with nothing kept.
            """
            CREATE FUNCTION tollgate_admit(p_call text, p_account text, p_node text, p_time double precision, p_day double precision,
                                           a_active bigint, a_minute bigint, a_day bigint,
                                           g_active bigint, g_minute bigint, g_day bigint) RETURNS text
            LANGUAGE plpgsql AS $$
            DECLARE
                v_second bigint := floor(p_time)::bigint;
            BEGIN
                BEGIN
                    INSERT INTO cluster_calls (call_id, account, node, started) VALUES (p_call, p_account, p_node, p_time)
                        ON CONFLICT (call_id) DO NOTHING;
                    IF NOT FOUND THEN
                        RETURN 'admitted';
                    END IF;
                    IF tollgate_count_call('account', p_account, v_second, p_day, a_active, a_minute, a_day) IS NULL THEN
                        RAISE EXCEPTION 'refused for the account' USING ERRCODE = 'TG001';
                    END IF;
                    IF tollgate_count_call('global', '', v_second, p_day, g_active, g_minute, g_day) IS NULL THEN
                        RAISE EXCEPTION 'refused for all accounts' USING ERRCODE = 'TG002';
                    END IF;
                EXCEPTION
                    WHEN SQLSTATE 'TG001' THEN RETURN 'account';
                    WHEN SQLSTATE 'TG002' THEN RETURN 'global';
                END;
                RETURN 'admitted';
            END
            $$
            """,
            // Releases a held call: it no longer counts as in progress (account row, then all accounts).
            """
            CREATE FUNCTION tollgate_release(p_call text) RETURNS boolean
            LANGUAGE plpgsql AS $$
            DECLARE
                v_account text;
            BEGIN
                DELETE FROM cluster_calls WHERE call_id = p_call RETURNING account INTO v_account;
                IF NOT FOUND THEN
                    RETURN false;
                END IF;
                UPDATE shared_counters SET active = GREATEST(active - 1, 0) WHERE scope = 'account' AND account = v_account;
                UPDATE shared_counters SET active = GREATEST(active - 1, 0) WHERE scope = 'global' AND account = '';
                RETURN true;
            END
            $$
            """,
        ]),
        ("pg3-event-keys", [
            "ALTER TABLE events ADD COLUMN key UUID NOT NULL DEFAULT gen_random_uuid()",
            "CREATE UNIQUE INDEX events_key ON events (key)",
        ]),
    ]

    /// Brings the database on `connection` up to date, or refuses one written by a newer Tollgate.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws(StoreError) {
        let known = all.map(\.name)
        do {
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS tollgate_migrations (name TEXT PRIMARY KEY, applied DOUBLE PRECISION NOT NULL)", logger: logger)
                var applied: [String] = []
                for try await name in try await connection.query("SELECT name FROM tollgate_migrations", logger: logger).decode(String.self) {
                    applied.append(name)
                }
                if applied.contains(where: { !known.contains($0) }) {
                    throw StoreError.newerSchema(known: known, found: ordered(applied))
                }
                for (name, statements) in all where !applied.contains(name) {
                    for statement in statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO tollgate_migrations (name, applied) VALUES (\(name), \(Date().timeIntervalSince1970))", logger: logger)
                }
            }
        } catch {
            let failure = StoreError(postgres: error)
            switch failure {
            case .newerSchema: throw failure
            default: throw .migrationFailed("\(failure)")
            }
        }
    }

    /// Applied migration names, the known ones in this build's order, then the unknown ones sorted.
    static func ordered(_ applied: [String]) -> [String] {
        let known = all.map(\.name)
        return known.filter(applied.contains) + Set(applied).subtracting(known).sorted()
    }
}
