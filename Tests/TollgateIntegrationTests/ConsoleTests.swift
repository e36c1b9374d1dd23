import Foundation
import Testing

/// The console of a running `tollgate serve`, after real calls and attacks, seen through headless
/// Chromium (signed in with password and TOTP), schemathesis and a Prometheus parser.
@Suite("Console of a running gateway", .serialized)
struct ConsoleTests {
    static let hostileAgent = "friendly-scanner <script>window.__xss=1</script>"
    static let hostileName = "<img src=x onerror=window.__xss=1>"

    @Test("after calls and attacks a browser enrols, signs in with TOTP and sees every page with the store's numbers and hostile SIP text escaped; schemathesis finds no 5xx and no schema mismatch; /metrics parses")
    func consoleInBrowser() throws {
        let consolePort = 8490
        let lab = try ShieldLab(port: 5490, pbxPort: 5500, extra: "console: { listen: \"127.0.0.1:\(consolePort)\" }")
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        #expect(lab.gateway?.waitForLog("console listening", timeout: 10) == true)
        #expect(lab.gateway?.log.contains("the console has no user yet") == true)

        // Attacks: a scanner whose User-Agent and display name carry markup, and an extension scan.
        let python = try Peers.executable("python3")
        let probe = """
            import socket
            garbage = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); garbage.bind(("127.0.0.68", 0))
            garbage.sendto(b"INVITE this is not SIP\\r\\n\\r\\n", ("127.0.0.1", \(lab.port)))
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.66", 0))
            m = ("OPTIONS sip:100@127.0.0.1 SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.66:5999;branch=z9hG4bK-console-1\\r\\n"
                 "From: \\"\(Self.hostileName)\\" <sip:100@127.0.0.66>;tag=1\\r\\nTo: <sip:100@127.0.0.1>\\r\\nCall-ID: console-xss-1\\r\\n"
                 "CSeq: 1 OPTIONS\\r\\nUser-Agent: \(Self.hostileAgent)\\r\\nMax-Forwards: 70\\r\\nContent-Length: 0\\r\\n\\r\\n")
            s.sendto(m.encode(), ("127.0.0.1", \(lab.port)))
            """
        #expect(try PeerProcess(name: "hostile-probe", executable: python, arguments: ["-c", probe]).wait(timeout: 10) == 0)
        _ = try lab.attack("svwar", from: "127.0.0.67", arguments: ["-e200-230", "-p", "\(lab.port)", "127.0.0.1"], timeout: 60)
        #expect(try lab.waitForBan("127.0.0.66") != nil)
        // Calls from the carrier, recorded whatever the PBX answers.
        let calls = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.10", port: lab.pbxPort + 10, remote: "127.0.0.1:\(lab.port)", calls: 3)
        calls.wait(timeout: 60)
        let bans = try lab.bans()
        // The CDRs are durable in the journal when each call ends, and reach the table within a batch (0.2 s).
        var cdrs = try lab.json(["cdr", "list"])
        for _ in 0..<50 where cdrs.count < 3 {
            usleep(100_000)
            cdrs = try lab.json(["cdr", "list"])
        }
        #expect(cdrs.count == 3, "one CDR per call: \(cdrs)")

        // The first user, from the command line; the browser follows the enrolment link.
        let add = try PeerProcess(name: "user-add", executable: Peers.tollgate, arguments: ["user", "add", "ada", "--role", "admin", "--config", lab.configFile.path],
                                  directory: lab.directory)
        #expect(add.wait(timeout: 20) == 0)
        let link = try #require(add.log.split(separator: "\n").first { $0.contains("/enrol/") }).trimmingCharacters(in: .whitespaces)
        #expect(link.hasPrefix("http://127.0.0.1:\(consolePort)/enrol/"))
        let artefacts = Peers.packageRoot.appendingPathComponent(".build/test-artefacts/console")
        try? FileManager.default.removeItem(at: artefacts)
        let pages = ["/", "/events", "/bans", "/accounts", "/alarms", "/calls", "/routes", "/audit-log", "/sessions", "/users", "/config"]
        let browser = try PeerProcess(name: "console-browser", executable: python, arguments: [
            ShieldLab.scripts.appendingPathComponent("console_browser.py").path, "--url", "http://127.0.0.1:\(consolePort)", "--user", "ada",
            "--password", "correct horse battery staple", "--enrol", link, "--out", artefacts.path,
        ] + pages)
        #expect(browser.wait(timeout: 120) == 0, "\(browser.log)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(browser.log.utf8)) as? [String: Any], "\(browser.log)")
        #expect(report["enrolled"] as? Bool == true && report["signedIn"] as? Bool == true)
        let shown = try #require(report["pages"] as? [String: [String: Any]])
        for page in pages {
            let view = try #require(shown[page], "\(page) missing")
            #expect(view["status"] as? Int == 200, "\(page)")
            #expect(view["scripts"] as? Int == 1, "\(page): a script from the data ran into the page")
            #expect(view["xss"] as? Bool == false, "\(page): injected script executed")
            #expect(FileManager.default.fileExists(atPath: artefacts.appendingPathComponent((page == "/" ? "status" : String(page.dropFirst())) + ".png").path))
        }
        let status = shown["/"]?["text"] as? String ?? ""
        #expect(status.contains("Active bans\n\(bans.count)"), "\(status.prefix(400))")
        #expect(status.contains("Calls today\n\(cdrs.count)"), "\(status.prefix(400))")
        #expect(status.contains("carrier\tup"), "the running gateway's trunk health: \(status.prefix(600))")
        #expect((shown["/bans"]?["text"] as? String ?? "").contains("127.0.0.66"))
        let events = shown["/events"]?["text"] as? String ?? ""
        #expect(events.contains("<script>window.__xss=1</script>"), "the hostile User-Agent is shown as text")
        #expect((shown["/audit-log"]?["text"] as? String ?? "").contains("user.enrolled"))

        // The API against its own OpenAPI document, with an admin token.
        let token = try PeerProcess(name: "token", executable: Peers.tollgate, arguments: ["token", "create", "ada", "--config", lab.configFile.path],
                                    directory: lab.directory)
        #expect(token.wait(timeout: 20) == 0)
        let bearer = try #require(token.log.split(separator: "\n").last?.trimmingCharacters(in: .whitespaces))
        let schemathesis = try PeerProcess(name: "schemathesis", executable: Peers.executable("schemathesis"), arguments: [
            "run", "http://127.0.0.1:\(consolePort)/api/v1/openapi.json", "-u", "http://127.0.0.1:\(consolePort)/api/v1",
            "-H", "Authorization: Bearer \(bearer)", "-n", "60", "--seed", "1",
            "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance,positive_data_acceptance",
        ], directory: lab.directory)  // its cache goes with the lab, not into the working tree
        #expect(schemathesis.wait(timeout: 600) == 0, "\(schemathesis.log.suffix(4000))")

        // /metrics in the Prometheus text format, read by the reference parser.
        // …and every metric the Grafana dashboard charts is there.
        let dashboard = Peers.packageRoot.appendingPathComponent("deploy/grafana/tollgate.json").path
        let parse = """
            import json, re, sys, urllib.request
            from prometheus_client.parser import text_string_to_metric_families
            text = urllib.request.urlopen("http://127.0.0.1:\(consolePort)/metrics", timeout=10).read().decode()
            families = {f.name: f for f in text_string_to_metric_families(text)}
            samples = {s.name for f in families.values() for s in f.samples}
            charted = set(re.findall(r"tollgate_[a-z_]+", open("\(dashboard)").read()))
            missing = sorted(charted - samples)
            if missing:
                sys.exit("charted but not exported: " + ", ".join(missing))
            bans = sum(s.value for s in families["tollgate_shield_bans"].samples if s.name == "tollgate_shield_bans_total")
            received = sum(s.value for s in families["tollgate_sip_messages_in"].samples)
            print(len(families), int(bans), int(received))
            """
        let metrics = try PeerProcess(name: "prometheus-parse", executable: python, arguments: ["-c", parse])
        #expect(metrics.wait(timeout: 30) == 0, "\(metrics.log)")
        let figures = metrics.log.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(figures.count == 3 && figures[0] > 10 && figures[1] >= 1 && figures[2] > 5, "\(metrics.log)")
    }
}
