import Foundation

/// A Tollgate gateway as it registered itself in the store it shares with the others, and its
/// heartbeat: a node whose heartbeat has lapsed is no longer counted as live, and the calls it
/// held stop counting against the shared limits.
public struct ClusterNode: Sendable, Hashable, Codable {
    /// The node's name (`node.name`; by default the host name and the first listener).
    public var name: String
    /// Its SIP listeners, as `transport:address:port` separated by spaces.
    public var listeners: String
    /// The Tollgate version it runs.
    public var version: String
    /// When it started.
    public var started: Date
    /// Its last heartbeat.
    public var lastSeen: Date
    /// The calls it holds against the shared limits (read from the store; ignored when saving).
    public var activeCalls: Int

    public init(name: String, listeners: String, version: String, started: Date, lastSeen: Date, activeCalls: Int = 0) {
        self.name = name
        self.listeners = listeners
        self.version = version
        self.started = started
        self.lastSeen = lastSeen
        self.activeCalls = activeCalls
    }

    /// Whether its heartbeat is recent at `date`, allowing `timeout` of silence.
    public func isLive(at date: Date, timeout: TimeInterval) -> Bool {
        date.timeIntervalSince(lastSeen) <= timeout
    }
}

/// A node as people and programs are shown it (`tollgate node list --json`, the console's status):
/// whether it is live at the time asked, and its listeners one by one.
public struct ClusterNodeView: Sendable, Hashable, Encodable {
    public var name: String
    /// Whether it beat within the node timeout.
    public var live: Bool
    public var lastSeen: Date
    public var started: Date
    /// The calls it holds against the shared limits.
    public var activeCalls: Int
    public var version: String
    public var listeners: [String]

    public init(_ node: ClusterNode, at date: Date, timeout: TimeInterval) {
        name = node.name
        live = node.isLive(at: date, timeout: timeout)
        lastSeen = node.lastSeen
        started = node.started
        activeCalls = node.activeCalls
        version = node.version
        listeners = node.listeners.split(separator: " ").map(String.init)
    }
}
