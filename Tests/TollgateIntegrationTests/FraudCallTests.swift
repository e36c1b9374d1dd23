import Foundation
import Testing

/// Fraud control through a running `tollgate serve`: sipp plays the PBX placing outbound calls
/// for extensions (P-Asserted-Identity) and the carrier answering them; CDRs and events are read
/// back with the `tollgate` commands.
@Suite("Fraud control and CDRs with sipp through the gateway", .serialized)
struct FraudCallTests {
    /// A gateway with a store of its own and a fraud section.
    final class Lab: @unchecked Sendable {
        let directory: URL
        let configFile: URL
        let port: Int
        let pbxPort: Int
        let trunkPort: Int
        var gateway: PeerProcess?
        /// Call-IDs sipp placed, from its message traces, with the final status it got.
        var placed: [String: Int] = [:]

        init(port: Int, fraud: String) throws {
            self.port = port
            pbxPort = port + 1
            trunkPort = port + 2
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-fraud-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            configFile = directory.appendingPathComponent("tollgate.yaml")
            try """
                listeners:
                  - { zone: external, listen: "udp:127.0.0.1:\(port)" }
                pbx: { endpoint: "udp:127.0.0.20:\(pbxPort)" }
                trunks:
                  - name: carrier
                    endpoint: udp:127.0.0.10:\(trunkPort)
                    probe: { enabled: false }
                routes:
                  - { prefix: "", trunks: [carrier] }
                store: { path: "\(directory.appendingPathComponent("tollgate.db").path)" }
                fraud:
                \(fraud)
                """.write(to: configFile, atomically: true, encoding: .utf8)
        }

        func startGateway() throws {
            gateway = try PeerProcess.tollgate(config: configFile, directory: directory, name: "tollgate-fraud")
        }

        /// `count` calls from the PBX for `account` to `number`, answered by the carrier and held
        /// `hold` ms; `refused` calls expect a 403 from Tollgate instead and never reach the carrier.
        /// With `wait: false` the calls are left running and the PBX's process is returned; calls placed
        /// meanwhile need another `pbxPortOffset` (any port of 127.0.0.20 is the PBX).
        @discardableResult
        func calls(_ count: Int, account: String, to number: String, refused: Bool = false, hold: Int = 100, rate: Int = 10,
                   wait: Bool = true, pbxPortOffset: Int = 0) throws -> PeerProcess {
            let trace = directory.appendingPathComponent("sipp-\(UUID().uuidString).log")
            var carrier: PeerProcess?
            if !refused {
                carrier = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.10", port: trunkPort, calls: count)
                usleep(300_000)
            }
            let pbx = try PeerProcess.sipp(refused ? "uac-pbx-refused.xml" : "uac-pbx-call.xml", local: "127.0.0.20", port: pbxPort + pbxPortOffset,
                                           remote: "127.0.0.1:\(port)", calls: count, rate: rate,
                                           extra: ["-s", number, "-key", "account", account, "-d", String(hold),
                                                   "-trace_msg", "-message_file", trace.path])
            let finish = { [self] in
                #expect(pbx.wait(timeout: 60) == 0, "pbx (\(account) → \(number)): \(pbx.log.suffix(1500))\ngateway: \(gateway?.log.suffix(2000) ?? "")")
                if let carrier { #expect(carrier.wait(timeout: 10) == 0, "carrier: \(carrier.log.suffix(1500))") }
                for callID in Self.sentCallIDs(trace) { placed[callID] = refused ? 403 : 200 }
            }
            if wait { finish() } else { pending.append(finish) }
            return pbx
        }

        private var pending: [() -> Void] = []

        /// Waits for calls started with `wait: false`.
        func finishPending() {
            for finish in pending { finish() }
            pending.removeAll()
        }

        /// The Call-IDs of the INVITEs sipp sent.
        static func sentCallIDs(_ trace: URL) -> Set<String> {
            let text = (try? String(contentsOf: trace, encoding: .utf8)) ?? ""
            var ids: Set<String> = []
            for block in text.components(separatedBy: "-----------------------------------------------")
            where block.contains("message sent") && block.contains("INVITE sip:") {
                for line in block.split(whereSeparator: \.isNewline) where line.hasPrefix("Call-ID:") {
                    ids.insert(line.dropFirst("Call-ID:".count).trimmingCharacters(in: .whitespaces))
                }
            }
            return ids
        }

        /// Runs a `tollgate` command against this lab's config and store; returns its output.
        @discardableResult
        func tollgate(_ arguments: [String], expectStatus: Int32 = 0) throws -> String {
            let command = try PeerProcess(name: "tollgate-cli", executable: Peers.tollgate, arguments: arguments + ["--config", configFile.path],
                                          directory: directory)
            let status = command.wait(timeout: 30)
            #expect(status == expectStatus, "tollgate \(arguments.joined(separator: " ")): \(command.log)")
            return command.log
        }

        /// The CDRs in the store, by Call-ID.
        /// The CDRs in the store, by Call-ID, once there are at least `count` (the gateway moves
        /// them from its journal into the store within a fraction of a second); what is there
        /// after 5 s otherwise.
        func cdrs(atLeast count: Int) throws -> [String: [String: Any]] {
            let deadline = Date().addingTimeInterval(5)
            var found = try cdrs()
            while found.count < count, Date() < deadline {
                usleep(100_000)
                found = try cdrs()
            }
            return found
        }

        /// Call-IDs in the gateway's CDR journal: calls whose CDR is durable but not stored yet.
        func journaledCallIDs() -> Set<String> {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            var ids: Set<String> = []
            for name in names where name.hasPrefix("tollgate.db-cdr-journal.") {
                let text = (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
                for line in text.split(separator: "\n") {
                    let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                    if fields.count > 1 { ids.insert(String(fields[1])) }
                }
            }
            return ids
        }

        func cdrs() throws -> [String: [String: Any]] {
            let text = try tollgate(["cdr", "export", "--format", "json"])
            guard let start = text.firstIndex(of: "[") else { return [:] }
            let rows = try JSONSerialization.jsonObject(with: Data(text[start...].utf8)) as? [[String: Any]] ?? []
            var byCallID: [String: [String: Any]] = [:]
            for row in rows { if let id = row["call_id"] as? String { byCallID[id] = row } }
            return byCallID
        }

        func stop() { gateway?.stop() }
        deinit { stop() }
    }

    static let fraud = """
          thresholds:
            calls_per_minute: off
            concurrent_calls: { critical: 2 }
            calls_per_day: off
            international_per_hour: off
            short_calls: off
            minutes_per_day: off
          global:
            calls_per_minute: off
            concurrent_calls: off
          groups:
            - name: burst
              accounts: ["300"]
              class_of_service: national
              thresholds:
                calls_per_minute: { warning: 2, critical: 4 }
                concurrent_calls: off
        """

    @Test("premium refused, the N+1th concurrent call refused and the account suspended until resumed, a burst trips calls per minute, an operator's reset reaches the gateway; every call has its CDR")
    func livePolicyAndCDRs() throws {
        let lab = try Lab(port: 5280, fraud: Self.fraud)
        try lab.startGateway()
        defer { lab.stop() }

        // A premium number from an extension whose class is national only.
        try lab.calls(1, account: "201", to: "09098790123", refused: true)
        // Normal calls pass.
        try lab.calls(3, account: "201", to: "01632960123")

        // Two calls up at once for 202; the third is refused and 202 suspended.
        try lab.calls(2, account: "202", to: "01632960123", hold: 4000, wait: false)
        usleep(1_500_000)
        try lab.calls(1, account: "202", to: "01632960124", refused: true, pbxPortOffset: 10)
        lab.finishPending()
        // Suspended: even with nothing up, 202 is refused until an operator resumes it.
        try lab.calls(1, account: "202", to: "01632960125", refused: true)
        let resumed = try lab.tollgate(["account", "resume", "202"])
        #expect(resumed.contains("202"))
        usleep(2_000_000)
        try lab.calls(1, account: "202", to: "01632960126")

        // A burst from 300: four calls in the minute pass, the fifth is refused.
        try lab.calls(4, account: "300", to: "01632960127", rate: 20)
        try lab.calls(1, account: "300", to: "01632960128", refused: true)

        // An operator resumes 300 and zeroes its counters: the next call passes at once (without the
        // reset, the four calls still in the minute would trip calls-per-minute again).
        try lab.tollgate(["account", "resume", "300"])
        try lab.tollgate(["account", "reset", "300"])
        usleep(2_000_000)
        try lab.calls(1, account: "300", to: "01632960129")

        // The CDRs match what sipp saw: one per call, answered or rejected as sipp was told.
        let cdrs = try lab.cdrs(atLeast: lab.placed.count)
        #expect(Set(cdrs.keys) == Set(lab.placed.keys), "CDRs: \(cdrs.keys.sorted())\nsipp: \(lab.placed.keys.sorted())")
        for (callID, status) in lab.placed {
            let cdr = try #require(cdrs[callID], "no CDR for \(callID)")
            #expect((cdr["disposition"] as? String) == (status == 200 ? "answered" : "rejected"), "\(cdr)")
            #expect((cdr["cause"] as? Int) == status, "\(cdr)")
            #expect((cdr["direction"] as? String) == "outbound")
            if status == 200 { #expect((cdr["trunk"] as? String) == "carrier" && (cdr["hangup"] as? String) == "caller", "\(cdr)") }
        }
        let rules = cdrs.values.filter { ($0["disposition"] as? String) == "rejected" }.compactMap { $0["rule"] as? String }
        #expect(rules.sorted() == ["account-suspended", "calls-per-minute", "class-of-service", "concurrent-calls"], "\(rules)")
        #expect(cdrs.values.filter { ($0["account"] as? String) == "300" }.count == 6)

        // Decisions are events with the rule and the values.
        let events = try lab.tollgate(["events", "--kind", "fraud", "--limit", "100"])
        #expect(events.contains("class-of-service") && events.contains("concurrent-calls") && events.contains("calls-per-minute"), "\(events)")
        #expect(events.contains("exceed the critical level 2"), "\(events)")
        let suspended = try lab.tollgate(["events", "--kind", "account-suspended"])
        #expect(suspended.contains("account 202"), "\(suspended)")

        // The counters the gateway stored for `account show`.
        usleep(5_500_000)
        let show = try lab.tollgate(["account", "show", "300", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(show[show.firstIndex(of: "{")!...].utf8)) as? [String: Any]
        let snapshot = object?["snapshot"] as? [String: Any]
        #expect((snapshot?["callsToday"] as? Int) == 1, "counted since the reset: \(show)")
        #expect((snapshot?["group"] as? String) == "burst", "\(show)")
        #expect((object?["calls"] as? [Any])?.count == 6, "\(show)")
    }

    @Test("CDRs of calls that ended survive kill -9 of the gateway right after, and the restarted gateway counts them again")
    func cdrsSurviveKill() throws {
        let lab = try Lab(port: 5285, fraud: """
              thresholds:
                calls_per_minute: off
                calls_per_day: { critical: 5 }
            """)
        try lab.startGateway()
        try lab.calls(5, account: "201", to: "01632960123", hold: 50, rate: 50)
        // The callers saw their calls end: the gateway dies at once, with no chance to flush.
        if let gateway = lab.gateway, gateway.process.isRunning {
            kill(gateway.process.processIdentifier, SIGKILL)
            gateway.process.waitUntilExit()
        }
        // Each call's CDR is durable: in the store, or in the journal the gateway had not yet moved.
        let stored = try lab.cdrs()
        let durable = Set(stored.keys).union(lab.journaledCallIDs())
        #expect(durable == Set(lab.placed.keys), "CDRs: \(durable.sorted())\nsipp: \(lab.placed.keys.sorted())")

        // Restarted, the gateway stores what the journal held, each call once, and reads the day's
        // calls back: a sixth call from 201 is over calls-per-day.
        try lab.startGateway()
        try lab.calls(1, account: "201", to: "01632960124", refused: true)
        let cdrs = try lab.cdrs(atLeast: 6)
        #expect(Set(cdrs.keys) == Set(lab.placed.keys), "CDRs: \(cdrs.keys.sorted())\nsipp: \(lab.placed.keys.sorted())")
        #expect(cdrs.count == 6)
        let refused = cdrs.values.filter { ($0["disposition"] as? String) == "rejected" }
        #expect(refused.compactMap { $0["rule"] as? String } == ["calls-per-day"], "\(refused)")
    }

    @Test("calls in progress when the gateway is killed are recorded as interrupted at the next start, with their answer, and count again")
    func interruptedCallsSurviveKill() throws {
        let lab = try Lab(port: 5295, fraud: """
              thresholds:
                calls_per_minute: off
                calls_per_day: { critical: 2 }
            """)
        try lab.startGateway()
        let trace = lab.directory.appendingPathComponent("long-calls.log")
        let carrier = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.10", port: lab.trunkPort, calls: 2)
        defer { carrier.stop() }
        usleep(300_000)
        let pbx = try PeerProcess.sipp("uac-pbx-call.xml", local: "127.0.0.20", port: lab.pbxPort, remote: "127.0.0.1:\(lab.port)", calls: 2,
                                       extra: ["-s", "01632960123", "-key", "account", "201", "-d", "60000", "-trace_msg", "-message_file", trace.path])
        defer { pbx.stop() }
        // Both calls answered and talking (past the gateway's first heartbeat, 5 s after it started);
        // then the gateway dies with no chance to write anything.
        usleep(6_500_000)
        let gateway = try #require(lab.gateway)
        kill(gateway.process.processIdentifier, SIGKILL)
        gateway.process.waitUntilExit()
        pbx.stop()
        carrier.stop()
        let placed = Lab.sentCallIDs(trace)
        #expect(placed.count == 2)

        // Restarted, the gateway records both as interrupted, answered, ending no earlier than their answer.
        try lab.startGateway()
        let cdrs = try lab.cdrs(atLeast: 2)
        for callID in placed {
            let cdr = try #require(cdrs[callID], "no CDR for \(callID): \(cdrs.keys.sorted())")
            #expect((cdr["disposition"] as? String) == "interrupted", "\(cdr)")
            #expect(cdr["answer"] != nil && !(cdr["answer"] is NSNull), "\(cdr)")
            #expect(((cdr["billsec"] as? Double) ?? -1) >= 1, "talking for seconds before the gateway died: \(cdr)")
        }
        #expect(lab.gateway?.log.contains("recorded as interrupted") == true, "\(lab.gateway?.log.suffix(2000) ?? "")")
        // They count again: a third call today from 201 is over calls-per-day (2).
        try lab.calls(1, account: "201", to: "01632960124", refused: true)
        lab.stop()
    }

    @Test("after the PBX's history is imported, a first-ever call to a high-risk country is held (403, a first-destination event), the usual call goes through, and an operator's allow lets the next one out")
    func anomalyHeldAfterImportedHistory() throws {
        let lab = try Lab(port: 5305, fraud: """
              default_class_of_service: unrestricted
              anomalies: { action: block }
            """)
        // Four weeks of account 201's national calls, every day from 08:00 to 20:00 UTC, up to yesterday.
        var rows: [String] = []
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let midnight = Calendar(identifier: .gregorian).startOfDay(for: Date())
        for day in 1...28 {
            for hour in stride(from: 8, to: 20, by: 2) {
                let start = midnight.addingTimeInterval(Double(-day * 86_400 + hour * 3_600))
                let fields = ["", "201", "01632960123", "from-internal", "\"Desk\" <201>", "PJSIP/201-\(day)\(hour)", "PJSIP/trunk-1", "Dial",
                              "PJSIP/01632960123@trunk,60", formatter.string(from: start), formatter.string(from: start + 5),
                              formatter.string(from: start + 125), "125", "120", "ANSWERED", "DOCUMENTATION", "\(Int(start.timeIntervalSince1970)).\(hour)"]
                rows.append(fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ","))
            }
        }
        let history = lab.directory.appendingPathComponent("Master.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: history, atomically: true, encoding: .utf8)
        let imported = try lab.tollgate(["cdr", "import", history.path, "--format", "asterisk"])
        #expect(imported.contains("imported 168 calls"), "\(imported)")
        #expect(try lab.tollgate(["cdr", "import", history.path, "--format", "asterisk"]).contains("imported 0 calls from"), "a second import adds nothing")

        try lab.startGateway()
        defer { lab.stop() }
        try lab.calls(1, account: "201", to: "00252612345678", refused: true)
        let events = try lab.tollgate(["events", "--kind", "fraud"])
        #expect(events.contains("first-destination") && events.contains("+252"), "\(events)")
        #expect(events.contains("tollgate account allow 201 +252 high-risk"), "\(events)")
        try lab.calls(1, account: "201", to: "01632960124")

        // The operator lets it through: within a second the gateway knows, and the next call there goes out.
        let allowed = try lab.tollgate(["account", "allow", "201", "+252", "high-risk"])
        #expect(allowed.contains("may call +252 and high-risk"), "\(allowed)")
        #expect(try lab.tollgate(["account", "allowances", "201"]).contains("201  +252"))
        _ = try lab.tollgate(["account", "disallow", "201", "+999"], expectStatus: 1)
        usleep(2_000_000)
        try lab.calls(1, account: "201", to: "00252612345679")

        let cdrs = try lab.cdrs(atLeast: 3 + 168)
        let today = cdrs.values.filter { ($0["to"] as? String) == "00252612345678" || ($0["to"] as? String) == "01632960124" }
        #expect(today.count == 2)
        #expect(cdrs.values.contains { ($0["to"] as? String) == "00252612345679" && ($0["disposition"] as? String) == "answered" })
        #expect(today.contains { ($0["disposition"] as? String) == "rejected" && ($0["rule"] as? String) == "first-destination" }, "\(today)")
        #expect(today.contains { ($0["disposition"] as? String) == "answered" }, "\(today)")
    }

    @Test("SIGHUP applies a changed fraud policy to the next call; a broken file is refused and the old policy stays")
    func reloadOnSIGHUP() throws {
        let lab = try Lab(port: 5288, fraud: "  enabled: true")
        try lab.startGateway()
        defer { lab.stop() }
        try lab.calls(1, account: "201", to: "09098790123", refused: true)

        let original = try String(contentsOf: lab.configFile, encoding: .utf8)
        try original.replacingOccurrences(of: "fraud:\n  enabled: true", with: """
            fraud:
              enabled: true
              groups:
                - { name: boss, accounts: ["201"], class_of_service: unrestricted }
            """).write(to: lab.configFile, atomically: true, encoding: .utf8)
        let pid = try #require(lab.gateway?.process.processIdentifier)
        kill(pid, SIGHUP)
        #expect(lab.gateway?.waitForLog("caller identity reloaded", timeout: 10) == true, "\(lab.gateway?.log ?? "")")
        try lab.calls(1, account: "201", to: "09098790123")

        try (original + "\n  default_class_of_service: nosuch\n").write(to: lab.configFile, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        #expect(lab.gateway?.waitForLog("reload refused", timeout: 10) == true, "\(lab.gateway?.log ?? "")")
        try lab.calls(1, account: "201", to: "09098790124")
    }
}
