import Foundation
import Testing
@testable import TollgateConsole
import TollgateModel
import SIPTransport
import TollgateStore

@Suite("Console defences: cross-site requests, address restriction, hostile SIP text, enrolment", .serialized)
struct ConsoleDefenceTests {
    @Test("a cross-site POST (foreign Origin, or no CSRF token) gets 403 and changes nothing; the same request from the console's page works")
    func crossSite() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("otto", role: .operator)
            let (cookie, csrf) = try await lab.session(for: "otto")
            let client = lab.client()
            let form = [("csrf", csrf), ("source", "198.51.100.66"), ("duration", "1h"), ("reason", "test")]
            #expect(try await client.post("/bans", form: form, cookie: cookie, origin: "https://evil.example").status == 403)
            #expect(try await client.post("/bans", form: Array(form.dropFirst()), cookie: cookie).status == 403)
            #expect(try await client.post("/bans", form: [("csrf", "wrong")] + form.dropFirst(), cookie: cookie).status == 403)
            #expect(try await client.request(.POST, "/api/v1/bans", headers: [("Cookie", cookie), ("Origin", client.origin),
                                                                                 ("Content-Type", "application/json")],
                                             body: #"{"source": "198.51.100.66"}"#).status == 403)
            #expect(try await lab.store.activeBans(at: lab.clock.now).isEmpty)
            #expect(try await client.post("/bans", form: form, cookie: cookie).status == 200)
            #expect(try await lab.store.activeBans(at: lab.clock.now).map(\.source) == ["198.51.100.66"])
            let entry = try #require(try await lab.store.auditEntries(since: nil, limit: 5).last)
            #expect(entry.action == "ban.add" && entry.actor == "otto" && entry.target == "198.51.100.66" && entry.after == "1h (test)")
        }
    }

    @Test("a source outside console.allow gets no answer at all, not even to a TLS handshake; /metrics follows metrics_allow")
    func allowList() async throws {
        let allow = [try AddressRange(parsing: "127.0.0.10/32")]
        let metrics = [try AddressRange(parsing: "127.0.0.50/32")]
        try await ConsoleLab.with(configure: { $0.allow = allow; $0.metricsAllow = metrics }) { lab in
            let admitted = try await lab.client(from: "127.0.0.10").get("/login")
            #expect(admitted.status == 200)
            #expect(try await lab.client(from: "127.0.0.66").get("/login").status == 0)
            #expect(try await lab.client(from: "127.0.0.66").get("/metrics").status == 0)
            // Prometheus's address reaches /metrics (404 here: this lab collects none) but nothing else.
            #expect(try await lab.client(from: "127.0.0.50").get("/metrics").status == 404)
            #expect(try await lab.client(from: "127.0.0.50").get("/login").status == 403)
            #expect(try await lab.client(from: "127.0.0.10").get("/metrics").status == 403)
        }
    }

    @Test("markup and quotes from SIP (User-Agent, display name, number) appear escaped in every page and as plain data in the API")
    func hostileText() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("vera", role: .viewer)
            let (cookie, _) = try await lab.session(for: "vera")
            let payload = #"<script>alert("x")</script><img src=x onerror='y'>"#
            try await lab.store.append([SecurityEvent(time: lab.clock.now, kind: "scanner", source: "127.0.0.66", rule: "scanner-fingerprint",
                                                      detail: "User-Agent \(payload)", severity: .warning)])
            try await lab.store.appendCDRs([CallDetailRecord(callID: payload, direction: .inbound, from: "\"\(payload)\" <sip:1@x>", to: payload,
                                                             account: payload, source: "127.0.0.66", start: lab.clock.now,
                                                             end: lab.clock.now.addingTimeInterval(1), disposition: .failed)])
            try await lab.store.saveBan(Ban(source: "127.0.0.66", since: lab.clock.now, until: lab.clock.now.addingTimeInterval(60), rule: "scanner",
                                            reason: payload, offences: 1, origin: .automatic))
            let client = lab.client()
            for path in ["/", "/events", "/calls", "/bans", "/audit-log"] {
                let page = try await client.get(path, cookie: cookie)
                #expect(page.status == 200, "\(path)")
                #expect(!page.body.contains("<script>alert") && !page.body.contains("<img src=x"), "\(path) shows raw markup")
                #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            }
            #expect(try await client.get("/events", cookie: cookie).body.contains("&lt;script&gt;alert(&quot;x&quot;)"))
            let api = try await client.get("/api/v1/events", cookie: cookie)
            let decoded = try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any]
            let first = (decoded?["items"] as? [[String: Any]])?.first
            #expect(first?["detail"] as? String == "User-Agent \(payload)")
            let csv = try await client.get("/calls.csv", cookie: cookie)
            #expect(csv.status == 200 && csv.body.contains(#""""<script>"#))
        }
    }

    @Test("an enrolment link sets a password and TOTP once: a wrong code, a common password or a reused link are refused")
    func enrolment() async throws {
        try await ConsoleLab.with { lab in
            let token = EnrolmentToken()
            try await lab.store.saveUser(ConsoleUser(name: "ana", role: .admin, enrolmentTokenHash: token.hash,
                                                     enrolmentExpires: lab.clock.now.addingTimeInterval(EnrolmentToken.lifetime), created: lab.clock.now))
            let client = lab.client()
            let page = try await client.get("/enrol/\(token.text)")
            #expect(page.status == 200 && page.body.contains("<svg") && page.body.contains("otpauth://totp/"))
            let secret = try #require(SignInTests.hidden("secret", in: page.body))
            let path = "/enrol/\(token.text)"
            let common = try await client.post(path, form: [("password", "password1234"), ("again", "password1234"), ("secret", secret),
                                                             ("code", lab.code(secret))])
            #expect(common.status == 400 && common.body.contains("cannot be used"))
            let wrongCode = try await client.post(path, form: [("password", ConsoleLab.password), ("again", ConsoleLab.password), ("secret", secret),
                                                                ("code", "000000")])
            #expect(wrongCode.status == 400 && wrongCode.body.contains("code is wrong"))
            let done = try await client.post(path, form: [("password", ConsoleLab.password), ("again", ConsoleLab.password), ("secret", secret),
                                                           ("code", lab.code(secret))])
            #expect(done.status == 200 && done.body.contains("Enrolment complete"))
            let user = try #require(try await lab.store.user(named: "ana"))
            #expect(user.isEnrolled && user.enrolmentTokenHash == nil && user.totpSecret == secret)
            #expect(try await client.get(path).status == 404)
            // The code used to enrol cannot sign in: the next one can.
            let first = try await client.post("/login", form: [("user", "ana"), ("password", ConsoleLab.password)])
            let pending = try #require(first.setCookie)
            let csrf = try #require(SignInTests.hidden("csrf", in: try await client.get("/login/code", cookie: pending).body))
            #expect(try await client.post("/login/code", form: [("csrf", csrf), ("code", lab.code(secret))], cookie: pending).status == 401)
            lab.clock.advance(30)
            #expect(try await client.post("/login/code", form: [("csrf", csrf), ("code", lab.code(secret))], cookie: pending).status == 303)
        }
    }

    @Test("an expired link is refused; a token past its expiry or revoked gets 401, one above its user's role is capped")
    func expiry() async throws {
        try await ConsoleLab.with { lab in
            let token = EnrolmentToken()
            try await lab.store.saveUser(ConsoleUser(name: "late", role: .viewer, enrolmentTokenHash: token.hash,
                                                     enrolmentExpires: lab.clock.now.addingTimeInterval(60), created: lab.clock.now))
            lab.clock.advance(61)
            #expect(try await lab.client().get("/enrol/\(token.text)").status == 404)
            try await lab.addUser("vera", role: .viewer)
            let bearer = try await lab.token(for: "vera", role: .viewer, expires: 3600)
            let client = lab.client()
            #expect(try await client.get("/api/v1/status", headers: [("Authorization", "Bearer \(bearer)")]).status == 200)
            lab.clock.advance(3601)
            let expired = try await client.get("/api/v1/status", headers: [("Authorization", "Bearer \(bearer)")])
            #expect(expired.status == 401 && expired.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(expired.body.contains(#""status":401"#))
            let revoked = try await lab.token(for: "vera", role: .viewer)
            for token in try await lab.store.tokens(user: "vera") { _ = try await lab.store.removeToken(id: token.id) }
            #expect(try await client.get("/api/v1/status", headers: [("Authorization", "Bearer \(revoked)")]).status == 401)
        }
    }
}

@Suite("Console pages")
struct ConsolePageTests {
    @Test("a list shows the link to older rows only when there are more, and the next page continues where the last ended")
    func paging() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("vera", role: .viewer)
            let (cookie, _) = try await lab.session(for: "vera")
            try await lab.store.append((0..<5).map { SecurityEvent(time: lab.clock.now.addingTimeInterval(Double($0)), kind: "scanner", source: "192.0.2.\($0)",
                                                                    rule: "r", detail: "d", severity: .warning) })
            let client = lab.client()
            let all = try await client.get("/events", cookie: cookie)
            #expect(!all.body.contains("Older events"))
            let first = try await client.get("/events?limit=3", cookie: cookie)
            #expect(first.body.contains("192.0.2.4") && first.body.contains("192.0.2.2") && !first.body.contains("192.0.2.1<"))
            let range = try #require(first.body.range(of: "class=\"pager\"><a href=\"/events?"))
            let link = String(first.body[range.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            let second = try await client.get("/events?" + link, cookie: cookie)
            #expect(second.status == 200 && second.body.contains("192.0.2.1") && second.body.contains("192.0.2.0") && !second.body.contains("192.0.2.2<"))
            #expect(!second.body.contains("Older events"))
            let search = try await client.get("/events?q=192.0.2.3", cookie: cookie)
            #expect(search.body.contains("192.0.2.3") && !search.body.contains("192.0.2.4<"))
            #expect(try await client.get("/api/v1/events?q=" + String(repeating: "x", count: 101), cookie: cookie).status == 400)
        }
    }
}

@Suite("Divert now in the console")
struct ConsoleDivertTests {
    @Test("an operator diverts inbound calls in one action; every page says so while it is on; a viewer cannot; each switch is in the audit log")
    func divert() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("otto", role: .operator)
            try await lab.addUser("vera", role: .viewer)
            let (operatorCookie, csrf) = try await lab.session(for: "otto")
            let (viewerCookie, viewerCSRF) = try await lab.session(for: "vera")
            let client = lab.client()
            #expect(try await client.post("/divert", form: [("csrf", viewerCSRF), ("state", "on")], cookie: viewerCookie).status == 403)
            let on = try await client.post("/divert", form: [("csrf", csrf), ("state", "on"), ("reason", "fire drill")], cookie: operatorCookie)
            #expect(on.status == 303)
            #expect(try await lab.store.divert()?.reason == "fire drill")
            for path in ["/", "/events", "/calls", "/bans"] {
                let page = try await client.get(path, cookie: viewerCookie)
                #expect(page.body.contains("Divert now is ON: inbound calls go to +447700900123 over carrier"), "\(path)")
            }
            let status = try await client.get("/api/v1/status", cookie: viewerCookie)
            #expect(status.body.contains(#""divert":{"#) && status.body.contains(#""on":true"#))
            let token = try await lab.token(for: "otto", role: .operator)
            let off = try await client.request(.POST, "/api/v1/divert", headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                               body: #"{"on": false}"#)
            #expect(off.status == 200 && off.body.contains(#""on":false"#))
            #expect(try await lab.store.divert() == nil)
            #expect(!(try await client.get("/", cookie: viewerCookie).body.contains("Divert now is ON")))
            let log = try await lab.store.auditEntries(since: nil, limit: 10)
            #expect(log.map(\.action) == ["divert.on", "divert.off"] && log.first?.actor == "otto" && log.last?.actor.hasPrefix("otto (token") == true)
        }
    }
}

@Suite("Fraud alarms in the console")
struct ConsoleAlarmTests {
    @Test("fraud alarms are listed with their state; an operator acknowledges one once, a viewer cannot, and a non-alarm event cannot be acknowledged")
    func acknowledge() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("otto", role: .operator)
            try await lab.addUser("vera", role: .viewer)
            try await lab.store.append([
                SecurityEvent(time: lab.clock.now, kind: "fraud", source: "", rule: "premium-first-call", detail: "2001 called 90 premium numbers",
                              severity: .critical),
                SecurityEvent(time: lab.clock.now, kind: "scanner", source: "192.0.2.1", rule: "r", detail: "not an alarm", severity: .warning),
            ])
            let events = try await lab.store.events(EventQuery())
            let alarm = try #require(events.first { $0.kind == "fraud" }?.id)
            let other = try #require(events.first { $0.kind == "scanner" }?.id)
            let client = lab.client()
            let (viewer, viewerCSRF) = try await lab.session(for: "vera")
            let page = try await client.get("/alarms", cookie: viewer)
            #expect(page.status == 200 && page.body.contains("2001 called 90 premium numbers") && !page.body.contains("not an alarm"))
            #expect(try await client.get("/api/v1/status", cookie: viewer).body.contains(#""openAlarms":1"#))
            #expect(try await client.post("/alarms/acknowledge", form: [("csrf", viewerCSRF), ("id", "\(alarm)")], cookie: viewer).status == 403)
            let token = try await lab.token(for: "otto", role: .operator)
            let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
            #expect(try await client.request(.POST, "/api/v1/alarms/\(other)/acknowledge", headers: headers, body: "{}").status == 404)
            let done = try await client.request(.POST, "/api/v1/alarms/\(alarm)/acknowledge", headers: headers, body: #"{"note": "blocked the route"}"#)
            #expect(done.status == 200 && done.body.contains("Acknowledged"))
            let again = try await client.request(.POST, "/api/v1/alarms/\(alarm)/acknowledge", headers: headers, body: "{}")
            #expect(again.body.contains("acknowledged already"))
            #expect(try await client.get("/alarms", cookie: viewer).body.contains("blocked the route"))
            #expect(try await client.get("/api/v1/status", cookie: viewer).body.contains(#""openAlarms":0"#))
            #expect(try await lab.store.auditEntries(since: nil, limit: 5).map(\.action) == ["alarm.acknowledge"])
        }
    }
}

@Suite("The status page")
struct ConsoleStatusTests {
    @Test("the running gateway's trunks, registrations, transactions and media ports are shown, and the same figures are in /api/v1/status")
    func liveStatus() async throws {
        let gateway = GatewayStatus(updated: Date(), processID: 1, trunksUp: ["carrier": true, "backup": false], serverTransactions: 7, clientTransactions: 3,
                                    earlyDialogs: 1, confirmedDialogs: 4, remotePhoneBindings: 2,
                                    registrations: ["carrier": RegistrationStatus(state: "registered", expires: 3600)])
        var withMedia = gateway
        withMedia.mediaPortsInUse = 16
        withMedia.mediaPortCapacity = 20000
        let live = withMedia
        try await ConsoleLab.with(status: { live }) { lab in
            try await lab.addUser("vera", role: .viewer)
            let (cookie, _) = try await lab.session(for: "vera")
            let page = try await lab.client().get("/", cookie: cookie).body
            #expect(page.contains("<td>carrier</td><td><span class=\"up\">up</span></td><td>registered</td>"))
            #expect(page.contains("<td>backup</td><td><span class=\"down\">down</span></td>"))
            #expect(page.contains(">16</span> / 20000") && page.contains("data-live=\"callsInProgress\">4<"))
            let api = try await lab.client().get("/api/v1/status", cookie: cookie).body
            #expect(api.contains(#""mediaPortsInUse":16"#) && api.contains(#""callsInProgress":4"#) && api.contains(#""state":"registered""#))
        }
    }
}

@Suite("The console over HTTPS")
struct ConsoleTLSTests {
    @Test("with a certificate the console speaks only HTTPS, and its cookie is __Host- and Secure, with HSTS")
    func https() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-console-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        try SelfSignedCertificate(commonName: "console test", ipAddresses: ["127.0.0.1"]).write(certificate: certificate, key: key)
        try await ConsoleLab.with(tls: (certificate, key)) { lab in
            try await lab.addUser("vera", role: .viewer)
            let client = lab.client()
            let login = try await client.post("/login", form: [("user", "vera"), ("password", ConsoleLab.password)])
            #expect(login.status == 303)
            let cookie = try #require(login.headers("Set-Cookie").first)
            #expect(cookie.hasPrefix("__Host-tollgate=") && cookie.contains("; Secure") && cookie.contains("Path=/"))
            #expect(login.header("Strict-Transport-Security") == "max-age=31536000")
            #expect(try await client.get("/", cookie: login.setCookie).status == 200)
            // Plain HTTP to the HTTPS port gets no page.
            var plain = client
            plain.tls = false
            #expect(try await plain.get("/login").status != 200)
        }
    }
}

@Suite("Nodes in the console")
struct ConsoleNodeTests {
    @Test("the status page and /api/v1/status list the nodes sharing the store, live or down, with the calls each holds; a node's name is shown as text")
    func nodes() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("vera", role: .viewer)
            let now = lab.clock.now
            try await lab.store.registerNode(ClusterNode(name: "edge-<b>1</b>", listeners: "udp:127.0.0.51:5060", version: "0.9.0",
                                                         started: now.addingTimeInterval(-600), lastSeen: now))
            try await lab.store.registerNode(ClusterNode(name: "edge-2", listeners: "udp:127.0.0.52:5060", version: "0.9.0",
                                                         started: now.addingTimeInterval(-600), lastSeen: now.addingTimeInterval(-60)))
            _ = try await lab.store.admitCall(SharedCallAdmission(callID: "c1", account: "1001", node: "edge-2", time: now, dayStart: now,
                                                                  limits: SharedCallLimits()))
            let client = lab.client()
            let (viewer, _) = try await lab.session(for: "vera")
            let page = try await client.get("/", cookie: viewer)
            #expect(page.status == 200)
            #expect(page.body.contains("edge-&lt;b&gt;1&lt;/b&gt;") && !page.body.contains("edge-<b>1</b>"))
            #expect(page.body.contains("<td>edge-2</td><td><span class=\"down\">down</span></td>"), "\(page.body)")
            let status = try await client.get("/api/v1/status", cookie: viewer)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any])
            let nodes = try #require(object["nodes"] as? [[String: Any]])
            #expect(nodes.map { $0["name"] as? String } == ["edge-2", "edge-<b>1</b>"])
            #expect(nodes[0]["live"] as? Bool == false && nodes[0]["activeCalls"] as? Int == 1)
            #expect(nodes[1]["live"] as? Bool == true && nodes[1]["listeners"] as? [String] == ["udp:127.0.0.51:5060"])
        }
    }
}
