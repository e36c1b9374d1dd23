import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

/// Nodes and the shared call counters.
///
/// Each counter (one row per account, one for all accounts) is moved by one conditional upsert: it
/// counts the call only while the count is under the limit, and PostgreSQL's row lock with its
/// re-check of the condition on the latest row makes concurrent admissions from any number of
/// nodes queue on the row, so the N+1th call of a limit of N is refused however they interleave.
/// The minute is a sliding window (the start times of the last 60 s are kept in the row).
extension PostgresStore {
    private static let accountScope = "account"
    private static let globalScope = "global"

    public func registerNode(_ node: ClusterNode) async throws(StoreError) {
        var statement = PostgresStatement("INSERT INTO nodes (name, listeners, version, started, last_seen) VALUES (")
        statement.append([
            statement.bind(node.name.storableText), statement.bind(node.listeners.storableText), statement.bind(node.version.storableText),
            statement.bind(node.started.timeIntervalSince1970), statement.bind(node.lastSeen.timeIntervalSince1970),
        ].joined(separator: ", "))
        statement.append("""
            ) ON CONFLICT (name) DO UPDATE SET listeners = excluded.listeners, version = excluded.version, started = excluded.started,
                last_seen = excluded.last_seen
            """)
        try await execute(statement)
    }

    public func heartbeat(node name: String, at date: Date) async throws(StoreError) -> Bool {
        var statement = PostgresStatement()
        statement.append("UPDATE nodes SET last_seen = GREATEST(last_seen, \(statement.bind(date.timeIntervalSince1970))) ")
        statement.append("WHERE name = \(statement.bind(name.storableText)) RETURNING 1")
        return try await execute(statement) > 0
    }

    public func nodes() async throws(StoreError) -> [ClusterNode] {
        try await rows("""
            SELECT n.name, n.listeners, n.version, n.started, n.last_seen,
                (SELECT count(*) FROM cluster_calls c WHERE c.node = n.name)
            FROM nodes n ORDER BY n.name
            """) { cells in
            ClusterNode(name: try cells.next(), listeners: try cells.next(), version: try cells.next(), started: try cells.date(),
                        lastSeen: try cells.date(), activeCalls: try cells.next(Int.self))
        }
    }

    public func removeNode(named name: String) async throws(StoreError) -> Bool {
        try await transaction { transaction in
            var release = PostgresStatement("WITH gone AS (DELETE FROM cluster_calls WHERE node = ")
            release.append(release.bind(name.storableText) + " RETURNING account) " + Self.decrementHeld)
            try await transaction.execute(release)
            var remove = PostgresStatement("DELETE FROM nodes WHERE name = ")
            remove.append(remove.bind(name.storableText) + " RETURNING 1")
            return try await transaction.execute(remove) > 0
        }
    }

    public func admitCall(_ admission: SharedCallAdmission) async throws(StoreError) -> SharedCallVerdict {
        // A limit of zero admits nothing; the upsert below would count a first call before any check.
        for (limits, account) in [(admission.limits, admission.account as String?), (admission.global, nil)] {
            if let (limit, value) = SharedCallCounts().reached(limits) {
                return .refused(SharedCallRefusal(account: account, limit: limit, value: value))
            }
        }
        let outcome: SharedCallVerdict? = try await transaction { transaction in
            var hold = PostgresStatement("INSERT INTO cluster_calls (call_id, account, node, started) VALUES (")
            hold.append([
                hold.bind(admission.callID.storableText), hold.bind(admission.account.storableText), hold.bind(admission.node.storableText),
                hold.bind(admission.time.timeIntervalSince1970),
            ].joined(separator: ", ") + ") ON CONFLICT (call_id) DO NOTHING RETURNING 1")
            // A call admitted already (a retransmitted INVITE) is not counted twice.
            guard try await transaction.execute(hold) > 0 else { return SharedCallVerdict.admitted }
            for (scope, key, limits) in [(Self.accountScope, admission.account.storableText, admission.limits), (Self.globalScope, "", admission.global)] {
                let counted = try await transaction.execute(Self.countCall(scope: scope, account: key, limits: limits, admission: admission))
                // Refused: nothing of this call is kept; which limit it met is read afterwards.
                if counted == 0 { throw RollBack(returning: Optional<SharedCallVerdict>.none) }
            }
            return SharedCallVerdict.admitted
        }
        if let outcome { return outcome }
        for (limits, account) in [(admission.limits, admission.account as String?), (admission.global, nil)] {
            let counts = try await sharedCounts(account: account, at: admission.time, dayStart: admission.dayStart)
            if let (limit, value) = counts.reached(limits) { return .refused(SharedCallRefusal(account: account, limit: limit, value: value)) }
        }
        // The count moved back under the limit since (a call ended): still refused, named by the first limit.
        let limit = admission.limits.concurrent ?? admission.limits.perMinute ?? admission.limits.perDay ?? 0
        return .refused(SharedCallRefusal(account: admission.account, limit: .concurrent, value: limit))
    }

    /// The conditional upsert that counts one call in a scope's row while every limit allows it;
    /// it returns a row only when it counted.
    private static func countCall(scope: String, account: String, limits: SharedCallLimits, admission: SharedCallAdmission) -> PostgresStatement {
        var statement = PostgresStatement()
        let now = statement.bind(admission.time.timeIntervalSince1970)
        let cutoff = statement.bind(admission.time.timeIntervalSince1970 - 60)
        let day = statement.bind(admission.dayStart.timeIntervalSince1970)
        let unlimited = Int(Int32.max)
        statement.append("""
            INSERT INTO shared_counters AS c (scope, account, active, minute_starts, day_start, day_count)
            VALUES (\(statement.bind(scope)), \(statement.bind(account)), 1, ARRAY[\(now)]::double precision[], \(day), 1)
            ON CONFLICT (scope, account) DO UPDATE SET
                active = c.active + 1,
                minute_starts = array_append(ARRAY(SELECT t FROM unnest(c.minute_starts) AS t WHERE t > \(cutoff)), \(now)),
                day_count = CASE WHEN c.day_start = \(day) THEN c.day_count + 1 ELSE 1 END,
                day_start = \(day)
            WHERE c.active < \(statement.bind(limits.concurrent ?? unlimited))
                AND (SELECT count(*) FROM unnest(c.minute_starts) AS t WHERE t > \(cutoff)) < \(statement.bind(limits.perMinute ?? unlimited))
                AND (c.day_start <> \(day) OR c.day_count < \(statement.bind(limits.perDay ?? unlimited)))
            RETURNING 1
            """)
        return statement
    }

    /// After `WITH gone AS (DELETE FROM cluster_calls … RETURNING account)`: takes the released
    /// calls off the counts of their accounts and of all accounts, and returns how many there were.
    private static let decrementHeld = """
        , per AS (
            SELECT 'account' AS scope, account, count(*) AS n FROM gone GROUP BY account
            UNION ALL SELECT 'global', '', count(*) FROM gone HAVING count(*) > 0
        ), counted AS (
            UPDATE shared_counters c SET active = GREATEST(c.active - per.n, 0) FROM per
            WHERE c.scope = per.scope AND c.account = per.account RETURNING 1
        )
        SELECT 1 FROM gone
        """

    public func releaseCall(callID: String) async throws(StoreError) -> Bool {
        var statement = PostgresStatement("WITH gone AS (DELETE FROM cluster_calls WHERE call_id = ")
        statement.append(statement.bind(callID.storableText) + " RETURNING account) " + Self.decrementHeld)
        return try await execute(statement) > 0
    }

    public func releaseCalls(ofNodesSilentSince date: Date) async throws(StoreError) -> Int {
        var statement = PostgresStatement("WITH gone AS (DELETE FROM cluster_calls WHERE node IN (SELECT name FROM nodes WHERE last_seen < ")
        statement.append(statement.bind(date.timeIntervalSince1970) + ") RETURNING account) " + Self.decrementHeld)
        return try await execute(statement)
    }

    public func sharedCounts(account: String?, at date: Date, dayStart: Date) async throws(StoreError) -> SharedCallCounts {
        var statement = PostgresStatement("SELECT active, (SELECT count(*) FROM unnest(minute_starts) AS t WHERE t > ")
        statement.append(statement.bind(date.timeIntervalSince1970 - 60))
        statement.append("), CASE WHEN day_start = \(statement.bind(dayStart.timeIntervalSince1970)) THEN day_count ELSE 0 END ")
        statement.append("FROM shared_counters WHERE scope = \(statement.bind(account == nil ? Self.globalScope : Self.accountScope)) ")
        statement.append("AND account = \(statement.bind(account?.storableText ?? ""))")
        return try await rows(statement) { cells in
            SharedCallCounts(concurrent: try cells.next(Int.self), lastMinute: try cells.next(Int.self), today: try cells.next(Int.self))
        }.first ?? SharedCallCounts()
    }
}
