import TollgateModel

/// One write the store writer owes the store: what it keeps, in order, while the store is away,
/// and what its journal holds so that a gateway stopped meanwhile still delivers it.
enum StoreWrite: Sendable, Hashable, Codable {
    /// A security event, with the key that makes writing it again harmless.
    case event(SecurityEvent)
    /// A ban to store, in the gateway's own time (turned into the store's when written).
    case ban(Ban)
    /// An account suspension to store.
    case suspension(AccountSuspension)

    /// Whether this is an ``event(_:)``.
    var isEvent: Bool {
        if case .event = self { return true }
        return false
    }
}
