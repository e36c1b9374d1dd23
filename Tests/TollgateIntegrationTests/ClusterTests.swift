import Foundation
import Testing
import TollgateTestSupport

/// Three `tollgate serve` nodes on 127.0.0.51–53 sharing one PostgreSQL database (the test server
/// `scripts/test` starts): a ban made by one node is enforced by the others, a shared limit holds
/// across them, a killed node's calls stop counting, and a database that crashes under load loses
/// and doubles no call record.
@Suite("Cluster: three gateways, one PostgreSQL", .serialized,
       .enabled(if: PostgresTestServer.enabled, "no PostgreSQL test server ($TOLLGATE_TEST_POSTGRES; scripts/test starts one); required under CI"))
struct ClusterTests {
    final class Lab: @unchecked Sendable {
        static let addresses = ["127.0.0.51", "127.0.0.52", "127.0.0.53"]
        let port: Int
        let pbxPort: Int
        let trunkPort: Int
        let directory: URL
        let database: String
        var nodes: [PeerProcess?] = [nil, nil, nil]
        var pbx: PeerProcess?

        init(port: Int, database: String, fraud: String) throws {
            self.port = port
            pbxPort = port + 1
            trunkPort = port + 2
            self.database = database
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cluster-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (index, address) in Self.addresses.enumerated() {
                let folder = directory.appendingPathComponent("node-\(index)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try """
                    listeners:
                      - { zone: external, listen: "udp:\(address):\(port)" }
                    pbx: { endpoint: "udp:127.0.0.20:\(pbxPort)" }
                    remote_phones: true
                    trunks:
                      - name: carrier
                        endpoint: udp:127.0.0.10:\(trunkPort)
                        probe: { enabled: false }
                    routes:
                      - { prefix: "", trunks: [carrier] }
                    store: { url: "\(database)", path: "\(folder.appendingPathComponent("tollgate.db").path)" }
                    node: { name: "node-\(index)" }
                    cluster: { heartbeat_interval: 0.5, node_timeout: 2 }
                    shield:
                      enabled: true
                      profiles:
                        untrusted: { requests_per_second: 2000, burst: 2000, options_per_minute: 1000000, other_per_minute: 1000000, ban_after_drops: 1000000 }
                      detection:
                        options_sweep: { count: 100000, window: 60 }
                    fraud:
                    \(fraud)
                    """.write(to: folder.appendingPathComponent("tollgate.yaml"), atomically: true, encoding: .utf8)
            }
        }

        func config(_ index: Int) -> URL {
            directory.appendingPathComponent("node-\(index)/tollgate.yaml")
        }

        func start(_ index: Int) throws {
            nodes[index] = try PeerProcess.tollgate(config: config(index), directory: directory.appendingPathComponent("node-\(index)"),
                                                    name: "tollgate-node-\(index)")
        }

        func startAll() throws {
            for index in 0..<3 { try start(index) }
        }

        func startPBX() throws {
            let python = try Peers.executable("python3")
            let pbx = try PeerProcess(name: "test-pbx", executable: python, arguments: [
                ShieldLab.scripts.appendingPathComponent("test_pbx.py").path, "--listen", "127.0.0.20:\(pbxPort)",
            ])
            guard pbx.waitForLog("READY", timeout: 10) else { throw Peers.PeerError.didNotStart(pbx.log) }
            self.pbx = pbx
        }

        func kill(_ index: Int) {
            guard let node = nodes[index], node.process.isRunning else { return }
            Foundation.kill(node.process.processIdentifier, SIGKILL)
            node.process.waitUntilExit()
        }

        /// Runs a `tollgate` command on the shared store (with node 0's configuration: its node timeout); its output.
        @discardableResult
        func tollgate(_ arguments: [String], expectStatus: Int32 = 0) throws -> String {
            let command = try PeerProcess(name: "tollgate-cli", executable: Peers.tollgate,
                                          arguments: arguments + ["--config", config(0).path, "--store", database],
                                          directory: directory)
            let status = command.wait(timeout: 60)
            #expect(status == expectStatus, "tollgate \(arguments.joined(separator: " ")): \(command.log)")
            return command.log
        }

        /// The command's `--json` array: from its "[" line to its "]" line, whatever log lines the
        /// command wrote around it (its output and its log share one file here).
        func json(_ arguments: [String]) throws -> [[String: Any]] {
            let lines = try tollgate(arguments).split(separator: "\n", omittingEmptySubsequences: false)
            guard let first = lines.firstIndex(where: { $0 == "[" || $0 == "[]" }), lines[first] == "[",
                  let last = lines[first...].firstIndex(of: "]") else { return [] }
            return try JSONSerialization.jsonObject(with: Data(lines[first...last].joined(separator: "\n").utf8)) as? [[String: Any]] ?? []
        }

        /// Calls from the PBX for `account`, `perNode` through each node at once, held `hold` ms; the
        /// carrier answers every call that reaches it. Returns the Call-IDs placed.
        func callsThroughEveryNode(_ perNode: Int, account: String, hold: Int, round: Int) throws -> Set<String> {
            let carrier = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.10", port: trunkPort, calls: perNode * 3)
            defer { carrier.stop() }
            usleep(300_000)
            var pbxs: [(PeerProcess, URL)] = []
            for (index, address) in Self.addresses.enumerated() {
                let trace = directory.appendingPathComponent("round-\(round)-node-\(index).log")
                let pbx = try PeerProcess.sipp("uac-pbx-call-or-refused.xml", local: "127.0.0.20", port: pbxPort + 10 + round * 3 + index,
                                               remote: "\(address):\(port)", calls: perNode, rate: 200,
                                               extra: ["-s", "01632960123", "-key", "account", account, "-d", String(hold),
                                                       "-trace_msg", "-message_file", trace.path])
                pbxs.append((pbx, trace))
            }
            var placed: Set<String> = []
            for (pbx, trace) in pbxs {
                #expect(pbx.wait(timeout: 90) == 0, "pbx: \(pbx.log.suffix(1500))")
                placed.formUnion(FraudCallTests.Lab.sentCallIDs(trace))
            }
            return placed
        }

        /// The store's CDRs of `callIDs`, once every one is there (10 s at most).
        func cdrs(of callIDs: Set<String>) throws -> [[String: Any]] {
            let deadline = Date().addingTimeInterval(10)
            while true {
                let rows = try json(["cdr", "export", "--format", "json"]).filter { callIDs.contains($0["call_id"] as? String ?? "") }
                if Set(rows.compactMap { $0["call_id"] as? String }) == callIDs || Date() > deadline { return rows }
                usleep(200_000)
            }
        }

        func stop() {
            for node in nodes { node?.stop() }
            pbx?.stop()
        }

        deinit { stop() }
    }

    static let fraud = """
          thresholds:
            calls_per_minute: off
            concurrent_calls: { critical: 5 }
            calls_per_day: off
            international_per_hour: off
            short_calls: off
            minutes_per_day: off
          global:
            calls_per_minute: off
            concurrent_calls: off
        """

    /// The ban probe's results: per trial, per node, milliseconds (nil: never enforced).
    static func probe(_ arguments: [String]) throws -> [[String: Double?]] {
        let python = try Peers.executable("python3")
        let probe = try PeerProcess(name: "ban-probe", executable: python,
                                    arguments: [ShieldLab.scripts.appendingPathComponent("ban_probe.py").path] + arguments)
        #expect(probe.wait(timeout: 120) == 0, "\(probe.log)")
        guard let line = probe.log.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let trials = object["trials"] as? [[String: Any]]
        else { return [] }
        return trials.map { trial in
            let nodes = trial["nodes"] as? [String: Any] ?? [:]
            return nodes.mapValues { $0 as? Double }
        }
    }

    @Test("a scanner banned by one node is refused by the other two within a second (measured); the ban is listed through --store, and a lift reaches every node")
    func banPropagation() async throws {
        let lab = try Lab(port: 5400, database: try await PostgresTestServer.newDatabase(prefix: "cluster_bans"), fraud: Self.fraud)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startAll()
        let sources = (66...75).map { "127.0.0.\($0)" }
        let others = "\(Lab.addresses[1]):\(lab.port),\(Lab.addresses[2]):\(lab.port)"
        let trials = try Self.probe(["--scan", "\(Lab.addresses[0]):\(lab.port)", "--nodes", others, "--sources", sources.joined(separator: ","),
                                     "--interval-ms", "5", "--after", "1.5"])
        #expect(trials.count == sources.count)
        var times: [Double] = []
        for (source, trial) in zip(sources, trials) {
            for (node, milliseconds) in trial {
                guard let milliseconds else {
                    Issue.record("\(node) never refused \(source) banned by node-0")
                    continue
                }
                #expect(milliseconds < 1000, "\(node) refused \(source) after \(milliseconds) ms")
                times.append(milliseconds)
            }
        }
        times.sort()
        if !times.isEmpty {
            let p50 = times[times.count / 2], p99 = times[min(times.count - 1, Int(Double(times.count) * 0.99))]
            let report = "ban propagation over \(times.count) node-bans: p50 \(p50) ms, p99 \(p99) ms, max \(times.last ?? 0) ms (probe every 5 ms)"
            print(report)
            let artefacts = Peers.packageRoot.appendingPathComponent(".build/test-artefacts/cluster")
            try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
            try report.write(to: artefacts.appendingPathComponent("ban-propagation.txt"), atomically: true, encoding: .utf8)
        }

        let listed = try lab.tollgate(["ban", "list"])
        for source in sources { #expect(listed.contains(source), "\(source) not listed: \(listed)") }

        // Lifted through the store: every node answers the source again.
        try lab.tollgate(["ban", "remove", sources[0]])
        usleep(1_000_000)
        let answered = try Self.probe(["--answer", "--nodes", "\(Lab.addresses[0]):\(lab.port),\(others)", "--sources", sources[0],
                                       "--interval-ms", "20", "--after", "1"])
        for (node, milliseconds) in answered.first ?? [:] {
            #expect(milliseconds != nil, "\(node) still refuses \(sources[0]) after the ban was lifted")
        }
    }

    @Test("calls spread over three nodes meet one shared limit exactly, round after round; a node killed with its calls up stops counting after its heartbeat lapses")
    func sharedLimit() async throws {
        let lab = try Lab(port: 5410, database: try await PostgresTestServer.newDatabase(prefix: "cluster_limits"), fraud: Self.fraud)
        defer { lab.stop() }
        try lab.startAll()
        for round in 0..<3 {
            // 12 calls at once for account 1001, 4 through each node, against a shared limit of 5 calls at once.
            let placed = try lab.callsThroughEveryNode(4, account: "1001", hold: 4000, round: round)
            #expect(placed.count == 12)
            let rows = try lab.cdrs(of: placed)
            #expect(rows.count == 12, "round \(round): \(rows.count) CDRs")
            let answered = rows.filter { $0["disposition"] as? String == "answered" }.count
            let refused = rows.filter { $0["rule"] as? String == "concurrent-calls" }.count
            #expect(answered == 5 && refused == 7, "round \(round): \(answered) answered, \(refused) refused by the shared limit")
        }
        let nodes = try lab.json(["node", "list", "--json"])
        #expect(nodes.count == 3)
        #expect(nodes.allSatisfy { $0["live"] as? Bool == true && $0["activeCalls"] as? Int == 0 }, "\(nodes)")

        // Node 2 holds three long calls and dies.
        let carrier = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.10", port: lab.trunkPort, calls: 10)
        defer { carrier.stop() }
        usleep(300_000)
        let long = try PeerProcess.sipp("uac-pbx-call.xml", local: "127.0.0.20", port: lab.pbxPort + 50, remote: "\(Lab.addresses[2]):\(lab.port)",
                                        calls: 3, rate: 100, extra: ["-s", "01632960123", "-key", "account", "1001", "-d", "60000"])
        defer { long.stop() }
        usleep(1_500_000)
        #expect(try lab.json(["node", "list", "--json"]).first { $0["name"] as? String == "node-2" }?["activeCalls"] as? Int == 3)
        lab.kill(2)
        usleep(3_500_000)
        let after = try lab.json(["node", "list", "--json"])
        let dead = after.first { $0["name"] as? String == "node-2" }
        #expect(dead?["live"] as? Bool == false && dead?["activeCalls"] as? Int == 0, "\(after)")
        // The dead node's three calls no longer count: five calls fit again, through the live nodes.
        let placed = try lab.callsThroughEveryNodeAlive(5, account: "1001", through: [0, 1])
        let rows = try lab.cdrs(of: placed)
        #expect(rows.filter { $0["disposition"] as? String == "answered" }.count == 5, "\(rows.map { $0["rule"] ?? "-" })")
    }

    @Test("the database crashed and started again under load: every call has one CDR, none twice; the counters are back at zero; bans and events written meanwhile arrive once, also from a node killed during the outage",
          .enabled(if: ProcessInfo.processInfo.environment["TOLLGATE_TEST_POSTGRES_DIR"] != nil, "the test server's folder is needed to crash it (scripts/test gives it)"))
    func databaseCrash() async throws {
        let serverDirectory = ProcessInfo.processInfo.environment["TOLLGATE_TEST_POSTGRES_DIR"] ?? ""
        // Limits far above the load: this test is about records, not refusals.
        let lab = try Lab(port: 5420, database: try await PostgresTestServer.newDatabase(prefix: "cluster_crash"),
                          fraud: Self.fraud.replacingOccurrences(of: "concurrent_calls: { critical: 5 }", with: "concurrent_calls: { critical: 60 }"))
        defer { lab.stop() }
        try lab.start(0)
        try lab.start(1)
        try lab.start(2)
        let carrier = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.10", port: lab.trunkPort, calls: 400)
        defer { carrier.stop() }
        usleep(300_000)
        var pbxs: [(PeerProcess, URL)] = []
        for index in 0..<2 {
            let trace = lab.directory.appendingPathComponent("load-\(index).log")
            let pbx = try PeerProcess.sipp("uac-pbx-call-or-refused.xml", local: "127.0.0.20", port: lab.pbxPort + 20 + index,
                                           remote: "\(Lab.addresses[index]):\(lab.port)", calls: 150, rate: 15,
                                           extra: ["-s", "01632960123", "-key", "account", "100\(index)", "-d", "300",
                                                   "-trace_msg", "-message_file", trace.path])
            pbxs.append((pbx, trace))
        }
        usleep(3_000_000)
        let script = Peers.packageRoot.appendingPathComponent("scripts/test-postgres")
        let crash = try PeerProcess(name: "pg-crash", executable: script, arguments: ["crash", serverDirectory])
        #expect(crash.wait(timeout: 60) == 0, "\(crash.log)")
        // While the database is down, a scanner is banned by node 0, and another by node 2: the bans
        // and their events are kept and written later. Node 2 is then killed (`kill -9`) before the
        // database is back: what it owed is in its journal, and its next start writes it.
        for (scanner, node) in [("127.0.0.77", 0), ("127.0.0.78", 2)] {
            let address = Lab.addresses[node]
            let probe = try PeerProcess(name: "scanner", executable: try Peers.executable("python3"), arguments: ["-c", """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("\(scanner)", 0))
                s.sendto(b"OPTIONS sip:100@\(address) SIP/2.0\\r\\nVia: SIP/2.0/UDP \(scanner):5060;branch=z9hG4bKscan1\\r\\n"
                         b"From: <sip:100@\(scanner)>;tag=1\\r\\nTo: <sip:100@\(address)>\\r\\nCall-ID: scan-during-outage\\r\\n"
                         b"CSeq: 1 OPTIONS\\r\\nUser-Agent: friendly-scanner\\r\\nContent-Length: 0\\r\\n\\r\\n", ("\(address)", \(lab.port)))
                """])
            #expect(probe.wait(timeout: 10) == 0, "\(probe.log)")
        }
        let journal = lab.directory.appendingPathComponent("node-2/tollgate.db-cdr-journal-events").path
        // The scanner's event, its ban and the ban's event.
        func journaled() -> Int { (FileManager.default.contents(atPath: journal) ?? Data()).split(separator: UInt8(ascii: "\n")).count }
        let journalDeadline = Date().addingTimeInterval(20)
        while journaled() < 3, Date() < journalDeadline { usleep(200_000) }
        #expect(journaled() == 3, "node 2 journaled \(journaled()): \(lab.nodes[2]?.log.suffix(3000) ?? "")")
        lab.kill(2)
        usleep(1_000_000)
        let resume = try PeerProcess(name: "pg-resume", executable: script, arguments: ["resume", serverDirectory])
        #expect(resume.wait(timeout: 60) == 0, "\(resume.log)")

        try lab.start(2)

        var placed: Set<String> = []
        for (pbx, trace) in pbxs {
            #expect(pbx.wait(timeout: 120) == 0, "pbx: \(pbx.log.suffix(1500))")
            placed.formUnion(FraudCallTests.Lab.sentCallIDs(trace))
        }
        #expect(placed.count == 300, "\((0..<2).map { lab.nodes[$0]?.log.suffix(3000) ?? "" })")
        let rows = try lab.cdrs(of: placed)
        let ids = rows.compactMap { $0["call_id"] as? String }
        let missing = placed.subtracting(ids), stranger = Set(ids).subtracting(placed)
        #expect(missing.isEmpty && stranger.isEmpty, """
            \(missing.count) calls have no CDR (\(missing.sorted().prefix(5))), \(stranger.count) CDRs of calls not placed; \
            node logs: \((0..<2).map { lab.nodes[$0]?.log.suffix(2000) ?? "" })
            """)
        #expect(ids.count == Set(ids).count, "\(ids.count - Set(ids).count) CDRs stored twice")

        // Owed releases are written once the database answers: nothing counts as in progress.
        let deadline = Date().addingTimeInterval(10)
        var nodes = try lab.json(["node", "list", "--json"])
        while nodes.contains(where: { ($0["activeCalls"] as? Int ?? 0) > 0 }), Date() < deadline {
            usleep(500_000)
            nodes = try lab.json(["node", "list", "--json"])
        }
        #expect(nodes.allSatisfy { $0["activeCalls"] as? Int == 0 }, "\(nodes)")
        // The ban made during the outage reached the database.
        let bans = try lab.json(["ban", "list", "--json"])
        #expect(bans.contains { $0["source"] as? String == "127.0.0.77" }, "\(bans)")
        // Node 2's outage, written by its next start: its ban, and its events each once.
        #expect(bans.contains { $0["source"] as? String == "127.0.0.78" }, "\(bans); node 2: \(lab.nodes[2]?.log.suffix(3000) ?? "")")
        let events = try lab.json(["events", "--source", "127.0.0.78", "--json"])
        let kinds = events.compactMap { $0["kind"] as? String }
        #expect(kinds.contains("ban") && kinds.contains("scanner"), "\(events)")
        let distinct = Set(events.map { "\($0["kind"] ?? "") \($0["rule"] ?? "") \($0["detail"] ?? "") \($0["time"] ?? "")" })
        #expect(distinct.count == events.count, "events stored twice: \(events)")
        #expect(!FileManager.default.fileExists(atPath: journal), "node 2's journal stays though the database is back")
    }
}

extension ClusterTests.Lab {
    /// `total` calls for `account` spread over the nodes `through`, held 2 s.
    func callsThroughEveryNodeAlive(_ total: Int, account: String, through nodes: [Int]) throws -> Set<String> {
        // The carrier already running answers them.
        var placed: Set<String> = []
        var pbxs: [(PeerProcess, URL)] = []
        for (offset, index) in nodes.enumerated() {
            let count = total / nodes.count + (offset < total % nodes.count ? 1 : 0)
            let trace = directory.appendingPathComponent("alive-\(index).log")
            let pbx = try PeerProcess.sipp("uac-pbx-call-or-refused.xml", local: "127.0.0.20", port: pbxPort + 60 + index,
                                           remote: "\(Self.addresses[index]):\(port)", calls: count, rate: 200,
                                           extra: ["-s", "01632960123", "-key", "account", account, "-d", "2000",
                                                   "-trace_msg", "-message_file", trace.path])
            pbxs.append((pbx, trace))
        }
        for (pbx, trace) in pbxs {
            #expect(pbx.wait(timeout: 60) == 0, "pbx: \(pbx.log.suffix(1500))")
            placed.formUnion(FraudCallTests.Lab.sentCallIDs(trace))
        }
        return placed
    }
}
