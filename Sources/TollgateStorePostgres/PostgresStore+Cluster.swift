import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

/// Nodes and the shared call counters.
///
/// Each counter (one row per account, one for all accounts) is moved by one conditional upsert
/// (`tollgate_count_call`, run by `tollgate_admit` in the database, one round trip a call): it
/// counts the call only while the count is under the limit, and PostgreSQL's row lock with its
/// re-check of the condition on the latest row makes concurrent admissions from any number of
/// nodes queue on the row, so the N+1th call of a limit of N is refused however they interleave.
/// The minute is a sliding window kept as 61 per-second counts in the row (a fixed cost however busy
/// the row): a call is counted against the calls of the current second and the 60 before it, so the
/// window is 60 to 61 s long and never shorter than a minute.
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
            var release = PostgresStatement("DELETE FROM cluster_calls WHERE node = ")
            release.append(release.bind(name.storableText) + " RETURNING account")
            try await Self.uncount(try await transaction.rows(release) { cells in try cells.next(String.self) }, in: transaction)
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
        let unlimited = Int(Int32.max)
        var statement = PostgresStatement("SELECT tollgate_admit(")
        statement.append([
            statement.bind(admission.callID.storableText), statement.bind(admission.account.storableText), statement.bind(admission.node.storableText),
            statement.bind(admission.time.timeIntervalSince1970), statement.bind(admission.dayStart.timeIntervalSince1970),
            statement.bind(admission.limits.concurrent ?? unlimited), statement.bind(admission.limits.perMinute ?? unlimited),
            statement.bind(admission.limits.perDay ?? unlimited), statement.bind(admission.global.concurrent ?? unlimited),
            statement.bind(admission.global.perMinute ?? unlimited), statement.bind(admission.global.perDay ?? unlimited),
        ].joined(separator: ", ") + ")")
        // One round trip: the function holds the call and counts it, or keeps nothing and names the
        // scope that refused it; which limit that was is read afterwards.
        let answer = try await rows(statement) { cells in try cells.next(String.self) }.first
        let outcome: SharedCallVerdict? = answer == "admitted" ? .admitted : nil
        if let outcome { return outcome }
        for (limits, account) in [(admission.limits, admission.account as String?), (admission.global, nil)] {
            let counts = try await sharedCounts(account: account, at: admission.time, dayStart: admission.dayStart)
            if let (limit, value) = counts.reached(limits) { return .refused(SharedCallRefusal(account: account, limit: limit, value: value)) }
        }
        // The count moved back under the limit since (a call ended): still refused, named by the first limit.
        let limit = admission.limits.concurrent ?? admission.limits.perMinute ?? admission.limits.perDay ?? 0
        return .refused(SharedCallRefusal(account: admission.account, limit: .concurrent, value: limit))
    }

    /// The per-second buckets of the minute window.
    static let buckets = 61

    /// The SQL sum of the calls of row `c` within the window that ends at the second bound as
    /// `second` (bucket `j` last held the second `c.minute_second - ((c.minute_second - j) mod 61)`).
    static func windowed(_ second: String) -> String {
        "(CASE WHEN c.minute_second - (((c.minute_second - (i - 1)) % \(buckets) + \(buckets)) % \(buckets)) > \(second) - \(buckets) THEN n ELSE 0 END)"
    }

    /// Takes released calls off the counts of their accounts and of all accounts. Rows are locked in
    /// the order every admission locks them (accounts, by name, then the all-accounts row), so a
    /// release and an admission never wait for each other in a circle.
    private static func uncount(_ accounts: [String], in transaction: PostgresTransaction) async throws {
        guard !accounts.isEmpty else { return }
        var counts: [String: Int] = [:]
        for account in accounts { counts[account, default: 0] += 1 }
        for (account, count) in counts.sorted(by: { $0.key < $1.key }) {
            var statement = PostgresStatement()
            statement.append("UPDATE shared_counters SET active = GREATEST(active - \(statement.bind(count)), 0) ")
            statement.append("WHERE scope = \(statement.bind(accountScope)) AND account = \(statement.bind(account))")
            try await transaction.execute(statement)
        }
        var global = PostgresStatement()
        global.append("UPDATE shared_counters SET active = GREATEST(active - \(global.bind(accounts.count)), 0) ")
        global.append("WHERE scope = \(global.bind(globalScope)) AND account = ''")
        try await transaction.execute(global)
    }

    /// Deletes the held calls `statement` selects (`DELETE … RETURNING account`) and takes them off
    /// the counts, in one transaction; how many there were.
    private func release(_ statement: PostgresStatement) async throws(StoreError) -> Int {
        try await transaction { transaction in
            let accounts = try await transaction.rows(statement) { cells in try cells.next(String.self) }
            try await Self.uncount(accounts, in: transaction)
            return accounts.count
        }
    }

    public func releaseCall(callID: String) async throws(StoreError) -> Bool {
        var statement = PostgresStatement("SELECT tollgate_release(")
        statement.append(statement.bind(callID.storableText) + ")")
        return try await rows(statement) { cells in try cells.next(Bool.self) }.first ?? false
    }

    public func releaseCalls(ofNodesSilentSince date: Date) async throws(StoreError) -> Int {
        var statement = PostgresStatement("DELETE FROM cluster_calls WHERE node IN (SELECT name FROM nodes WHERE last_seen < ")
        statement.append(statement.bind(date.timeIntervalSince1970) + ") RETURNING account")
        return try await release(statement)
    }

    public func sharedCounts(account: String?, at date: Date, dayStart: Date) async throws(StoreError) -> SharedCallCounts {
        var statement = PostgresStatement()
        let second = statement.bind(Int64(date.timeIntervalSince1970.rounded(.down)))
        statement.append("SELECT active, (SELECT COALESCE(sum(\(Self.windowed(second))), 0)::integer FROM unnest(c.minute_counts) WITH ORDINALITY AS u(n, i))")
        statement.append(", CASE WHEN day_start = \(statement.bind(dayStart.timeIntervalSince1970)) THEN day_count ELSE 0 END ")
        statement.append("FROM shared_counters c WHERE scope = \(statement.bind(account == nil ? Self.globalScope : Self.accountScope)) ")
        statement.append("AND account = \(statement.bind(account?.storableText ?? ""))")
        return try await rows(statement) { cells in
            SharedCallCounts(concurrent: try cells.next(Int.self), lastMinute: try cells.next(Int.self), today: try cells.next(Int.self))
        }.first ?? SharedCallCounts()
    }
}
