import Foundation
import TollgateFraud

/// Which events to list.
public struct EventQuery: Sendable, Hashable {
    /// Only events at or after this time.
    public var since: Date?
    /// Only events of this kind.
    public var kind: String?
    /// Only events about this source address.
    public var source: String?
    /// At most this many, newest first.
    public var limit: Int

    public init(since: Date? = nil, kind: String? = nil, source: String? = nil, limit: Int = 1000) {
        self.since = since
        self.kind = kind
        self.source = source
        self.limit = limit
    }
}

/// Where Tollgate keeps what must outlive the process: security events, bans, call detail records and
/// the fraud control's account state (and, as their tables are added by later migrations, the
/// inventory, console users and the audit log).
///
/// The SQLite implementation (``SQLiteStore``) is the default; every method is safe to call from
/// any task, and a write that returned is durable against a crash of the process.
public protocol Store: Sendable {
    /// Stores events in one transaction, in order.
    func append(_ events: [SecurityEvent]) async throws(StoreError)
    /// Lists events matching `query`, newest first.
    func events(_ query: EventQuery) async throws(StoreError) -> [SecurityEvent]
    /// Deletes events older than `date`; returns how many went.
    func pruneEvents(olderThan date: Date) async throws(StoreError) -> Int

    /// Writes a ban, replacing the record of the same source, and bumps ``bansRevision()``.
    func saveBan(_ ban: Ban) async throws(StoreError)
    /// The record of one source, active or expired.
    func ban(source: String) async throws(StoreError) -> Ban?
    /// Every ban record, active or expired (the latter count for escalation).
    func allBans() async throws(StoreError) -> [Ban]
    /// The bans in force at `date`, soonest to expire first.
    func activeBans(at date: Date) async throws(StoreError) -> [Ban]
    /// Lifts the ban of a source (the record stays, expired, for escalation); returns whether one was active.
    func liftBan(source: String, at date: Date) async throws(StoreError) -> Bool
    /// Lifts every active ban; returns how many were active.
    func liftAllBans(at date: Date) async throws(StoreError) -> Int
    /// A number that changes whenever a ban is saved or lifted, by this process or another.
    func bansRevision() async throws(StoreError) -> Int64

    // MARK: Call detail records

    /// Stores call detail records in one transaction, in order; each gets a new ``CallDetailRecord/id``
    /// (an `id` already set is ignored). Once this returns, the records survive a crash of the process.
    func appendCDRs(_ records: [CallDetailRecord]) async throws(StoreError)
    /// Lists the records matching `query`, at most `query.limit`, in `query.order` (newest first by default).
    func cdrs(_ query: CDRQuery) async throws(StoreError) -> [CallDetailRecord]
    /// A page of the records matching `query` (its `limit` and `order` are ignored) whose id is greater
    /// than `id`, in the order they were stored (ascending id), at most `limit`.
    ///
    /// For reading any number of records a page at a time: start with `after: 0`, then pass the last
    /// record's id, until a page comes back shorter than `limit`.
    func cdrs(after id: Int64, matching query: CDRQuery, limit: Int) async throws(StoreError) -> [CallDetailRecord]
    /// How many records match `query` (its `limit` is ignored).
    func cdrCount(_ query: CDRQuery) async throws(StoreError) -> Int

    // MARK: Accounts

    /// Writes an account's suspension, in force, replacing its previous record (active or lifted),
    /// and bumps ``accountsRevision()``.
    func saveSuspension(_ suspension: AccountSuspension) async throws(StoreError)
    /// The suspensions in force, the oldest first.
    func activeSuspensions() async throws(StoreError) -> [AccountSuspension]
    /// The suspension of an account, if one is in force.
    func suspension(account: String) async throws(StoreError) -> AccountSuspension?
    /// The stored suspension of an account, in force or lifted.
    func suspensionRecord(account: String) async throws(StoreError) -> SuspensionRecord?
    /// Lifts the suspension of an account (the record stays, as history) and bumps
    /// ``accountsRevision()``; returns whether one was in force.
    func liftSuspension(account: String, at date: Date) async throws(StoreError) -> Bool

    /// Writes accounts' counters in one transaction, replacing each account's previous snapshot.
    func saveAccountSnapshots(_ snapshots: [AccountSnapshot]) async throws(StoreError)
    /// The last snapshot stored for an account.
    func accountSnapshot(account: String) async throws(StoreError) -> AccountSnapshot?
    /// The last snapshot of every account, by account.
    func accountSnapshots() async throws(StoreError) -> [AccountSnapshot]

    /// Records an operator's request that the running gateway zero an account's counters, replacing an
    /// earlier request for the same account, and bumps ``accountsRevision()``.
    func requestCounterReset(account: String, at date: Date) async throws(StoreError)
    /// The latest counter-reset request of each account that has one.
    func counterResets() async throws(StoreError) -> [String: Date]

    /// A number that changes whenever a suspension is saved or lifted or a counter reset is requested,
    /// by this process or another.
    func accountsRevision() async throws(StoreError) -> Int64
}
