import Foundation
import Logging
import ServiceLifecycle
import TollgateModel
import TollgateStore

/// Keeps this node registered in the store and alive to the others, and takes it out when it stops
/// cleanly: registers at start, then
/// every `cluster.heartbeat_interval` records a heartbeat (registering again if an operator removed
/// the node), releases the calls of nodes silent for longer than `cluster.node_timeout`, counts the
/// live nodes (each node's share of a limit while the database is away), and writes the call
/// releases owed from a time the database did not answer.
struct NodeHeartbeatService: Service {
    let store: any Store
    let membership: ClusterMembership
    let listeners: String
    let logger: Logger
    /// Measured again with every heartbeat.
    let clock: StoreClock

    func run() async throws {
        let (membership, logger) = (self.membership, self.logger)
        let started = Date()
        let interval = Duration.seconds(fraction: membership.settings.heartbeatInterval)
        await cancelWhenGracefulShutdown {
            var registered = false
            var lost = false
            while !Task.isCancelled {
                do {
                    // A database that does not answer within two heartbeats counts as lost.
                    let wasRegistered = registered
                    let answer: (Bool, Int) = try await withStoreDeadline(.seconds(fraction: membership.settings.heartbeatInterval * 2)) {
                        // Heartbeats are written and judged in the store's time, like bans.
                        try await self.beat(registered: wasRegistered, started: started, now: Date().addingTimeInterval(self.clock.current))
                    }
                    registered = answer.0
                    let live = answer.1
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
        // Stopping cleanly (the SIP side has ended its calls): the node leaves the cluster, and
        // whatever it still held stops counting at once rather than after its heartbeat lapses.
        do {
            _ = try await withStoreDeadline(.seconds(fraction: membership.settings.heartbeatInterval * 2)) {
                try await self.store.removeNode(named: membership.nodeName)
            }
            logger.info("left the cluster", metadata: ["node": "\(membership.nodeName)"])
        } catch {
            logger.warning("could not leave the cluster; the other nodes release this node's calls when its heartbeat lapses",
                           metadata: ["error": "\(error)"])
        }
    }

    /// One heartbeat: registers (again) when needed, beats, releases the calls of silent nodes and
    /// the releases owed; returns whether the node is registered and how many nodes are live.
    private func beat(registered: Bool, started: Date, now: Date) async throws -> (Bool, Int) {
        var known = registered
        if known { known = try await store.heartbeat(node: membership.nodeName, at: now) }
        if !known {
            try await store.registerNode(ClusterNode(name: membership.nodeName, listeners: listeners, version: TollgateVersion.current,
                                                     started: started, lastSeen: now))
            if !registered { logger.info("registered as a node", metadata: ["node": "\(membership.nodeName)", "store": "\(store.location)"]) }
        }
        let timeout = membership.settings.nodeTimeout
        let released = try await store.releaseCalls(ofNodesSilentSince: now.addingTimeInterval(-timeout))
        if released > 0 {
            logger.warning("calls of a node that stopped beating no longer count against the shared limits", metadata: ["calls": "\(released)"])
        }
        try await clock.measure(store)
        for callID in membership.takeOwedReleases() {
            do { _ = try await store.releaseCall(callID: callID) } catch { membership.owe(release: callID) }
        }
        return (true, try await store.nodes().filter { $0.isLive(at: now, timeout: timeout) }.count)
    }
}
