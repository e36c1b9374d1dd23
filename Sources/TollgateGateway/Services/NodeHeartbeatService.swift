import Foundation
import Logging
import ServiceLifecycle
import TollgateModel
import TollgateStore

/// Keeps this node registered in the store and alive to the others: registers at start, then
/// every `cluster.heartbeat_interval` records a heartbeat (registering again if an operator removed
/// the node), releases the calls of nodes silent for longer than `cluster.node_timeout`, counts the
/// live nodes (each node's share of a limit while the database is away), and writes the call
/// releases owed from a time the database did not answer.
struct NodeHeartbeatService: Service {
    let store: any Store
    let membership: ClusterMembership
    let listeners: String
    let logger: Logger

    func run() async throws {
        let (store, membership, logger) = (self.store, self.membership, self.logger)
        let started = Date()
        let node = ClusterNode(name: membership.nodeName, listeners: listeners, version: TollgateVersion.current, started: started,
                               lastSeen: started)
        let interval = Duration.milliseconds(Int(membership.settings.heartbeatInterval * 1000))
        await cancelWhenGracefulShutdown {
            var registered = false
            var lost = false
            while !Task.isCancelled {
                let now = Date()
                do {
                    if !registered {
                        var node = node
                        node.lastSeen = now
                        try await store.registerNode(node)
                        registered = true
                        logger.info("registered as a node", metadata: ["node": "\(node.name)", "store": "\(store.location)"])
                    } else if try await !store.heartbeat(node: node.name, at: now) {
                        registered = false
                        continue
                    }
                    let timeout = membership.settings.nodeTimeout
                    let released = try await store.releaseCalls(ofNodesSilentSince: now.addingTimeInterval(-timeout))
                    if released > 0 {
                        logger.warning("calls of a node that stopped beating no longer count against the shared limits",
                                       metadata: ["calls": "\(released)"])
                    }
                    for callID in membership.takeOwedReleases() {
                        do { _ = try await store.releaseCall(callID: callID) } catch { membership.owe(release: callID) }
                    }
                    let live = try await store.nodes().filter { $0.isLive(at: now, timeout: timeout) }.count
                    membership.heard(liveNodes: live)
                    if lost {
                        lost = false
                        logger.notice("the store answers again", metadata: ["live_nodes": "\(live)"])
                    }
                } catch {
                    if Task.isCancelled { return }
                    membership.lostDatabase()
                    if !lost {
                        lost = true
                        logger.error("the store does not answer the heartbeat; shared limits follow cluster.on_database_loss",
                                     metadata: ["error": "\(error)", "on_database_loss": "\(membership.settings.onDatabaseLoss.rawValue)"])
                    }
                }
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }
}
