import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

extension PostgresStore {
    // MARK: - Suspensions

    public func saveSuspension(_ suspension: AccountSuspension) async throws(StoreError) {
        try await transaction { transaction in
            var statement = PostgresStatement("INSERT INTO account_suspensions (account, since, rule, reason, lifted) VALUES (")
            statement.append([
                statement.bind(suspension.account.storableText), statement.bind(suspension.since.timeIntervalSince1970),
                statement.bind(suspension.rule.storableText), statement.bind(suspension.reason.storableText),
            ].joined(separator: ", "))
            statement.append("""
                , NULL) ON CONFLICT (account) DO UPDATE SET since = excluded.since, rule = excluded.rule, reason = excluded.reason,
                    lifted = NULL
                """)
            try await transaction.execute(statement)
            _ = try await transaction.bumpRevision(PostgresMigrations.accountsRevisionKey)
            try await transaction.notify(.accounts)
        }
    }

    public func activeSuspensions() async throws(StoreError) -> [AccountSuspension] {
        try await rows("SELECT account, since, rule, reason, lifted FROM account_suspensions WHERE lifted IS NULL ORDER BY since, account") {
            cells in try Self.suspensionRecord(&cells).suspension
        }
    }

    public func suspension(account: String) async throws(StoreError) -> AccountSuspension? {
        guard let record = try await suspensionRecord(account: account), record.isActive else { return nil }
        return record.suspension
    }

    public func suspensionRecord(account: String) async throws(StoreError) -> SuspensionRecord? {
        var statement = PostgresStatement("SELECT account, since, rule, reason, lifted FROM account_suspensions WHERE account = ")
        statement.append(statement.bind(account.storableText))
        return try await rows(statement, Self.suspensionRecord).first
    }

    static func suspensionRecord(_ cells: inout PostgresCells) throws -> SuspensionRecord {
        let suspension = AccountSuspension(account: try cells.next(), since: try cells.date(), rule: try cells.next(), reason: try cells.next())
        return SuspensionRecord(suspension: suspension, lifted: try cells.optionalDate())
    }

    public func liftSuspension(account: String, at date: Date) async throws(StoreError) -> Bool {
        try await transaction { transaction in
            var statement = PostgresStatement()
            statement.append("UPDATE account_suspensions SET lifted = \(statement.bind(date.timeIntervalSince1970)) ")
            statement.append("WHERE account = \(statement.bind(account.storableText)) AND lifted IS NULL RETURNING 1")
            guard try await transaction.execute(statement) > 0 else { return false }
            _ = try await transaction.bumpRevision(PostgresMigrations.accountsRevisionKey)
            try await transaction.notify(.accounts)
            return true
        }
    }

    // MARK: - Snapshots

    static let snapshotColumns = """
        account, account_group, class_of_service, calls_last_minute, concurrent_calls, calls_today, international_last_hour, \
        short_call_run, short_call_prefix, minutes_today, time
        """

    public func saveAccountSnapshots(_ snapshots: [AccountSnapshot]) async throws(StoreError) {
        guard !snapshots.isEmpty else { return }
        // The last snapshot of an account in the batch wins, as it would written one by one.
        var latest: [String: AccountSnapshot] = [:]
        var order: [String] = []
        for snapshot in snapshots {
            let key = snapshot.account.storableText
            if latest.updateValue(snapshot, forKey: key) == nil { order.append(key) }
        }
        var statement = PostgresStatement("INSERT INTO account_snapshots (\(Self.snapshotColumns)) VALUES ")
        for (index, key) in order.enumerated() {
            guard let snapshot = latest[key] else { continue }
            let values = [
                statement.bind(key), statement.bind(snapshot.group?.storableText), statement.bind(snapshot.classOfService.storableText),
                statement.bind(snapshot.callsLastMinute), statement.bind(snapshot.concurrentCalls), statement.bind(snapshot.callsToday),
                statement.bind(snapshot.internationalLastHour), statement.bind(snapshot.shortCallRun),
                statement.bind(snapshot.shortCallPrefix?.storableText), statement.bind(snapshot.minutesToday),
                statement.bind(snapshot.time.timeIntervalSince1970),
            ]
            statement.append((index > 0 ? ", (" : "(") + values.joined(separator: ", ") + ")")
        }
        statement.append("""
             ON CONFLICT (account) DO UPDATE SET account_group = excluded.account_group,
                class_of_service = excluded.class_of_service, calls_last_minute = excluded.calls_last_minute,
                concurrent_calls = excluded.concurrent_calls, calls_today = excluded.calls_today,
                international_last_hour = excluded.international_last_hour, short_call_run = excluded.short_call_run,
                short_call_prefix = excluded.short_call_prefix, minutes_today = excluded.minutes_today, time = excluded.time
            """)
        try await execute(statement)
    }

    static func snapshot(_ cells: inout PostgresCells) throws -> AccountSnapshot {
        AccountSnapshot(
            account: try cells.next(), group: try cells.next(), classOfService: try cells.next(), callsLastMinute: try cells.next(Int.self),
            concurrentCalls: try cells.next(Int.self), callsToday: try cells.next(Int.self), internationalLastHour: try cells.next(Int.self),
            shortCallRun: try cells.next(Int.self), shortCallPrefix: try cells.next(), minutesToday: try cells.next(Double.self),
            time: try cells.date())
    }

    public func accountSnapshot(account: String) async throws(StoreError) -> AccountSnapshot? {
        var statement = PostgresStatement("SELECT \(Self.snapshotColumns) FROM account_snapshots WHERE account = ")
        statement.append(statement.bind(account.storableText))
        return try await rows(statement, Self.snapshot).first
    }

    public func accountSnapshots() async throws(StoreError) -> [AccountSnapshot] {
        try await rows("SELECT \(Self.snapshotColumns) FROM account_snapshots ORDER BY account", Self.snapshot)
    }

    // MARK: - Counter resets

    public func requestCounterReset(account: String, at date: Date) async throws(StoreError) {
        try await transaction { transaction in
            var statement = PostgresStatement()
            statement.append("INSERT INTO account_resets (account, requested) VALUES (\(statement.bind(account.storableText)), ")
            statement.append("\(statement.bind(date.timeIntervalSince1970))) ON CONFLICT (account) DO UPDATE SET requested = excluded.requested")
            try await transaction.execute(statement)
            _ = try await transaction.bumpRevision(PostgresMigrations.accountsRevisionKey)
            try await transaction.notify(.accounts)
        }
    }

    public func counterResets() async throws(StoreError) -> [String: Date] {
        let pairs = try await rows("SELECT account, requested FROM account_resets") { cells in (try cells.next(String.self), try cells.date()) }
        return Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

    // MARK: - Allowances

    public func saveAllowance(account: String, destination: String, at date: Date) async throws(StoreError) {
        try await transaction { transaction in
            var statement = PostgresStatement("INSERT INTO anomaly_allowances (account, destination, given) VALUES (")
            statement.append("\(statement.bind(account.storableText)), \(statement.bind(destination.storableText)), ")
            statement.append("\(statement.bind(date.timeIntervalSince1970))) ON CONFLICT (account, destination) DO NOTHING RETURNING 1")
            if try await transaction.execute(statement) > 0 {
                _ = try await transaction.bumpRevision(PostgresMigrations.accountsRevisionKey)
                try await transaction.notify(.accounts)
            }
        }
    }

    public func removeAllowance(account: String, destination: String) async throws(StoreError) -> Bool {
        try await transaction { transaction in
            var statement = PostgresStatement()
            statement.append("DELETE FROM anomaly_allowances WHERE account = \(statement.bind(account.storableText)) ")
            statement.append("AND destination = \(statement.bind(destination.storableText)) RETURNING 1")
            guard try await transaction.execute(statement) > 0 else { return false }
            _ = try await transaction.bumpRevision(PostgresMigrations.accountsRevisionKey)
            try await transaction.notify(.accounts)
            return true
        }
    }

    public func allowances() async throws(StoreError) -> [(account: String, destination: String)] {
        try await rows("SELECT account, destination FROM anomaly_allowances ORDER BY given, account, destination") { cells in
            (account: try cells.next(String.self), destination: try cells.next(String.self))
        }
    }

    public func accountsRevision() async throws(StoreError) -> Int64 {
        try await revision(PostgresMigrations.accountsRevisionKey)
    }
}
