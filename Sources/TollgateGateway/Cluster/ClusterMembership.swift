import Foundation
import NIOConcurrencyHelpers
import TollgateConfig

/// What this node knows of the cluster, shared by the heartbeat service (which keeps it up to
/// date) and the shared-limits hook (which reads it on every call): its name, how many nodes are
/// live, whether the database answered the last heartbeat, and the releases still owed to it.
public final class ClusterMembership: Sendable {
    /// This node's name in the store.
    public let nodeName: String
    public let settings: ClusterConfig

    private struct State {
        var liveNodes = 1
        var databaseReachable = true
        var owedReleases: Set<String> = []
    }

    private let state = NIOLockedValueBox(State())

    public init(nodeName: String, settings: ClusterConfig) {
        self.nodeName = nodeName
        self.settings = settings
    }

    /// The nodes live at the last heartbeat that reached the database (this one included).
    public var liveNodes: Int { state.withLockedValue { $0.liveNodes } }

    /// Whether the last heartbeat reached the database; while it did not, admissions do not wait for it.
    public var databaseReachable: Bool { state.withLockedValue { $0.databaseReachable } }

    func heard(liveNodes: Int) {
        state.withLockedValue {
            $0.liveNodes = max(1, liveNodes)
            $0.databaseReachable = true
        }
    }

    func lostDatabase() {
        state.withLockedValue { $0.databaseReachable = false }
    }

    /// A call whose release could not be written: the heartbeat retries it.
    func owe(release callID: String) {
        _ = state.withLockedValue { $0.owedReleases.insert(callID) }
    }

    func takeOwedReleases() -> Set<String> {
        state.withLockedValue { state in
            defer { state.owedReleases = [] }
            return state.owedReleases
        }
    }

    /// This node's share of a shared limit while the database is away: the limit divided among the
    /// live nodes, rounded down (at least one call when the limit allows any).
    public func share(of limit: Int) -> Int {
        guard limit > 0 else { return 0 }
        return max(1, limit / liveNodes)
    }

    /// The default node name: the host name and the first SIP listener (`pbx-edge/udp:203.0.113.5:5060`).
    public static func defaultName(host: String = ProcessInfo.processInfo.hostName, firstListener: String?) -> String {
        firstListener.map { "\(host)/\($0)" } ?? host
    }
}
