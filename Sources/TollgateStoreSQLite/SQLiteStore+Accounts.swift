import Foundation
import GRDB
import TollgateModel
import TollgateStore

extension SQLiteStore {
    // MARK: - Suspensions

    public func saveSuspension(_ suspension: AccountSuspension) async throws(StoreError) {
        try await write { db in
            try SuspensionRow(suspension).save(db)
            try Self.bumpAccountsRevision(db)
        }
    }

    public func activeSuspensions() async throws(StoreError) -> [AccountSuspension] {
        try await read { db in
            try SuspensionRow.fetchAll(db, sql: "SELECT * FROM account_suspensions WHERE lifted IS NULL ORDER BY since, account")
        }.map(\.suspension)
    }

    public func suspension(account: String) async throws(StoreError) -> AccountSuspension? {
        guard let record = try await suspensionRecord(account: account), record.isActive else { return nil }
        return record.suspension
    }

    public func suspensionRecord(account: String) async throws(StoreError) -> SuspensionRecord? {
        try await read { db in try SuspensionRow.fetchOne(db, key: account.storableText) }?.record
    }

    public func liftSuspension(account: String, at date: Date) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE account_suspensions SET lifted = ? WHERE account = ? AND lifted IS NULL",
                arguments: [date.timeIntervalSince1970, account.storableText])
            guard db.changesCount > 0 else { return false }
            try Self.bumpAccountsRevision(db)
            return true
        }
    }

    // MARK: - Snapshots

    public func saveAccountSnapshots(_ snapshots: [AccountSnapshot]) async throws(StoreError) {
        guard !snapshots.isEmpty else { return }
        try await write { db in
            for snapshot in snapshots { try SnapshotRow(snapshot).save(db) }
        }
    }

    public func accountSnapshot(account: String) async throws(StoreError) -> AccountSnapshot? {
        try await read { db in try SnapshotRow.fetchOne(db, key: account.storableText) }?.snapshot
    }

    public func accountSnapshots() async throws(StoreError) -> [AccountSnapshot] {
        try await read { db in try SnapshotRow.fetchAll(db, sql: "SELECT * FROM account_snapshots ORDER BY account") }.map(\.snapshot)
    }

    // MARK: - Counter resets

    public func requestCounterReset(account: String, at date: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO account_resets (account, requested) VALUES (?, ?)
                    ON CONFLICT (account) DO UPDATE SET requested = excluded.requested
                    """,
                arguments: [account.storableText, date.timeIntervalSince1970])
            try Self.bumpAccountsRevision(db)
        }
    }

    public func counterResets() async throws(StoreError) -> [String: Date] {
        try await read { db in
            var resets: [String: Date] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account, requested FROM account_resets") {
                resets[row["account"]] = Date(timeIntervalSince1970: row["requested"])
            }
            return resets
        }
    }

    // MARK: - Allowances

    public func saveAllowance(account: String, destination: String, at date: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO anomaly_allowances (account, destination, given) VALUES (?, ?, ?) ON CONFLICT (account, destination) DO NOTHING",
                arguments: [account.storableText, destination.storableText, date.timeIntervalSince1970])
            if db.changesCount > 0 { try Self.bumpAccountsRevision(db) }
        }
    }

    public func removeAllowance(account: String, destination: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM anomaly_allowances WHERE account = ? AND destination = ?",
                           arguments: [account.storableText, destination.storableText])
            guard db.changesCount > 0 else { return false }
            try Self.bumpAccountsRevision(db)
            return true
        }
    }

    public func allowances() async throws(StoreError) -> [(account: String, destination: String)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT account, destination FROM anomaly_allowances ORDER BY given, account, destination")
                .map { (account: $0["account"], destination: $0["destination"]) }
        }
    }

    // MARK: - Revision

    public func accountsRevision() async throws(StoreError) -> Int64 {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [StoreMigrations.accountsRevisionKey])
        } ?? 0
    }

    private static func bumpAccountsRevision(_ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO store_meta (key, value) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = value + 1",
            arguments: [StoreMigrations.accountsRevisionKey])
    }
}
