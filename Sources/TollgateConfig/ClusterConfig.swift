/// How a gateway takes part with others sharing one store (`cluster:`, and `node:` for its name).
public struct ClusterConfig: Sendable, Hashable, Codable {
    /// What a call that needs a shared counter gets while the database cannot be reached.
    public enum DatabaseLossAction: String, Sendable, Hashable, Codable, CaseIterable {
        /// Admitted against this node's share of each limit (the limit divided by the nodes live
        /// when the database was last reached): calls go on, and no node can pass its share.
        case failOpen = "fail-open"
        /// Refused with 503 until the database is back: no call unless the shared count admits it.
        case failClosed = "fail-closed"
    }

    /// This node's name in the store (`node.name`); `nil`: the host name and the first listener.
    public var nodeName: String?
    /// Seconds between heartbeats.
    public var heartbeatInterval: Double = 2
    /// Seconds of silence after which a node counts as gone and the calls it held are released.
    public var nodeTimeout: Double = 10
    /// Whether calls are admitted against limits shared by every node; `nil`: when the store is PostgreSQL.
    public var sharedLimits: Bool?
    /// What a call gets while the shared counters cannot be reached.
    public var onDatabaseLoss: DatabaseLossAction = .failOpen
    /// Seconds an admission waits for the database before the database counts as lost for that call.
    public var admissionTimeout: Double = 0.5

    /// Creates cluster settings with the defaults.
    public init(nodeName: String? = nil, heartbeatInterval: Double = 2, nodeTimeout: Double = 10, sharedLimits: Bool? = nil,
                onDatabaseLoss: DatabaseLossAction = .failOpen, admissionTimeout: Double = 0.5) {
        self.nodeName = nodeName
        self.heartbeatInterval = heartbeatInterval
        self.nodeTimeout = nodeTimeout
        self.sharedLimits = sharedLimits
        self.onDatabaseLoss = onDatabaseLoss
        self.admissionTimeout = admissionTimeout
    }
}
