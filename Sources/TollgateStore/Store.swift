import Foundation

/// Where Tollgate keeps what must outlive the process, one protocol per concern: security events
/// (``EventStore``), bans (``BanStore``), call detail records (``CallRecordStore``) and the fraud
/// control's account state (``AccountStore``), the inventory (``InventoryStore``), failover drills
/// (``DrillStore``), and the console's users, sessions, API tokens and audit log.
///
/// A backend implements all of them and passes the conformance suite; nothing in Tollgate looks
/// past these protocols at a backend's type. Every method is safe to call from any task, and a
/// write that returned is durable against a crash of the process.
public protocol Store: EventStore, BanStore, CallRecordStore, AccountStore, InventoryStore, DrillStore, UserStore, AuditLogStore,
    SessionStore, APITokenStore, DivertStore, AlarmStore, ClusterStore {
    /// A short description for logs and `config show`: the backend and where it is, never a password.
    var location: String { get }
    /// Runs the backend's own upkeep until the task is cancelled (SQLite: WAL checkpoints;
    /// PostgreSQL: the connection that hears other nodes' changes), then once more; returns at
    /// once when the backend needs none.
    func maintain() async
    /// A doorbell for changes made through other connections (other nodes, commands): an element
    /// says what kind of record changed, and the reader asks the store what changed. It may ring
    /// for nothing and a backend may have none (the stream then ends at once), so readers also
    /// ask every few seconds. Rings only while ``maintain()`` runs.
    func changes() -> AsyncStream<StoreChange>
    /// The store's clock: a database server's, which every node sharing it agrees on (a ban ends by
    /// it); this machine's for a local file.
    func databaseTime() async throws(StoreError) -> Date
}

extension Store {
    public func maintain() async {}

    public func databaseTime() async throws(StoreError) -> Date {
        Date()
    }

    public func changes() -> AsyncStream<StoreChange> {
        AsyncStream { $0.finish() }
    }
}

/// What kind of record another connection changed (see ``Store/changes()``).
public enum StoreChange: String, Sendable, Hashable, CaseIterable {
    /// A ban saved or lifted: ask ``BanStore/banChanges(after:)``.
    case bans
    /// A suspension, counter reset or allowance: ask ``AccountStore/accountsRevision()``.
    case accounts
    /// "Divert now" switched: ask ``DivertStore/divert()``.
    case divert
}
