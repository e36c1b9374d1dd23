import Foundation
import Testing
import TollgateModel
import TollgateStore
import TollgateStoreSQLite

@Suite("tollgate node")
struct NodeCommandTests {
    @Test("list shows each node live or down by the configured node timeout, with its calls; --json; remove releases a node")
    func listAndRemove() async throws {
        let fixture = try StoreFixture()
        #expect(try fixture.run(["node", "list"]).stdout.contains("no nodes registered"))
        let store = try SQLiteStore(path: fixture.storePath)
        let now = Date()
        // edge-1's heartbeat is stamped a minute ahead, so it is live however long the command takes to start.
        try await store.registerNode(ClusterNode(name: "edge-1", listeners: "udp:127.0.0.1:5060 tls:127.0.0.1:5061", version: "0.9.0",
                                                 started: now.addingTimeInterval(-3600), lastSeen: now.addingTimeInterval(60)))
        try await store.registerNode(ClusterNode(name: "edge-2", listeners: "udp:127.0.0.2:5060", version: "0.9.0",
                                                 started: now.addingTimeInterval(-3600), lastSeen: now.addingTimeInterval(-600)))
        _ = try await store.admitCall(SharedCallAdmission(callID: "c1", account: "1001", node: "edge-1", time: now, dayStart: now,
                                                          limits: SharedCallLimits()))
        let table = try fixture.run(["node", "list"])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].contains("edge-1") && lines[1].contains("live") && lines[1].contains("  1  "), "\(table.stdout)")
        #expect(lines[2].contains("edge-2") && lines[2].contains("down"), "\(table.stdout)")

        let json = try fixture.run(["node", "list", "--json"])
        let nodes = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(nodes.map { $0["name"] as? String } == ["edge-1", "edge-2"])
        #expect(nodes[0]["live"] as? Bool == true && nodes[0]["activeCalls"] as? Int == 1)
        #expect(nodes[0]["listeners"] as? [String] == ["udp:127.0.0.1:5060", "tls:127.0.0.1:5061"])
        #expect(nodes[1]["live"] as? Bool == false)

        let removed = try fixture.run(["node", "remove", "edge-1"])
        #expect(removed.status == 0 && removed.stdout.contains("removed node edge-1"))
        #expect(try await store.sharedCounts(account: "1001", at: now, dayStart: now).concurrent == 0, "its call no longer counts")
        let again = try fixture.run(["node", "remove", "edge-1"])
        #expect(again.status == 1 && again.stderr.contains("no node named edge-1"))
    }
}
