import ArgumentParser
import Foundation
import TollgateConfig
import TollgateModel
import TollgateStore

/// `tollgate node list|remove`: the gateways that share the store.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "List the gateways sharing the store, or remove one.",
        discussion: """
            Every gateway registers itself in the store it uses (node.name, by default the host name and \
            its first listener) and beats every cluster.heartbeat_interval seconds. A node silent for \
            longer than cluster.node_timeout is down: the calls it held no longer count against the \
            shared limits. Remove a node that will not come back; one that starts again registers anew.
            """,
        subcommands: [List.self, Remove.self]
    )

    /// How long a node may stay silent: the configuration's, or the default when there is none.
    static func timeout(_ options: ConfigOptions) -> TimeInterval {
        (try? options.load())?.cluster.nodeTimeout ?? ClusterConfig().nodeTimeout
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the nodes, whether each is live, and the calls each holds.")

        @OptionGroup var options: ConfigOptions

        @Flag(name: .long, help: "Print a JSON array instead of a table.")
        var json = false

        func run() async throws {
            let store = try await options.openStoreOrExit()
            let nodes = try await store.nodes()
            // Heartbeats are in the store's time.
            let now = try await store.databaseTime()
            let timeout = NodeCommand.timeout(options)
            if json {
                try printJSON(nodes.map { ClusterNodeView($0, at: now, timeout: timeout) })
                return
            }
            guard !nodes.isEmpty else {
                print("no nodes registered in \(store.location)")
                return
            }
            var table = TextTable("NODE", "STATE", "LAST HEARTBEAT", "CALLS", "VERSION", "STARTED", "LISTENERS")
            for node in nodes {
                let live = node.isLive(at: now, timeout: timeout)
                table.append([
                    node.name, live ? "live" : "down", DurationText.approximate(seconds: Int(max(0, now.timeIntervalSince(node.lastSeen)))) + " ago",
                    String(node.activeCalls), node.version, Timestamp.text(node.started), node.listeners,
                ])
            }
            print(table.rendered)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a node's registration and release the calls it held.")

        @Argument(help: "The node's name, as `tollgate node list` shows it.")
        var name: String

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            guard try await store.removeNode(named: name) else {
                printError("no node named \(name)")
                throw ExitCode(1)
            }
            print("removed node \(name)")
        }
    }
}
