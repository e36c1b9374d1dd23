/// Where Tollgate keeps what must outlive the process, one protocol per concern: security events
/// (``EventStore``), bans (``BanStore``), call detail records (``CallRecordStore``) and the fraud
/// control's account state (``AccountStore``), the inventory (``InventoryStore``), failover drills
/// (``DrillStore``), and the console's users, sessions, API tokens and audit log.
///
/// A backend implements all of them and passes the conformance suite; nothing in Tollgate looks
/// past these protocols at a backend's type. Every method is safe to call from any task, and a
/// write that returned is durable against a crash of the process.
public protocol Store: EventStore, BanStore, CallRecordStore, AccountStore, InventoryStore, DrillStore, UserStore, AuditLogStore,
    SessionStore, APITokenStore, DivertStore, AlarmStore {
    /// A short description for logs and `config show`: the backend and where it is, never a password.
    var location: String { get }
    /// Runs the backend's own upkeep until the task is cancelled (SQLite: WAL checkpoints), then
    /// once more; returns at once when the backend needs none.
    func maintain() async
}

extension Store {
    public func maintain() async {}
}
