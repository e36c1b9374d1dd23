import Foundation

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

/// Where Tollgate keeps what must outlive the process: security events and bans (and, as their
/// tables are added by later migrations, CDRs, the inventory, console users and the audit log).
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
}
