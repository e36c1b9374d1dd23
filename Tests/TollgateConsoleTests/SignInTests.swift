import Foundation
import Testing
@testable import TollgateConsole
import TollgateModel
import TollgateStoreSQLite

@Suite("Console sign-in: password, then TOTP, new session IDs, throttling and bans", .serialized)
struct SignInTests {
    @Test("password then TOTP: each step gives a new session ID, the one before stops working, and the cookie is HttpOnly and SameSite=Strict")
    func twoSteps() async throws {
        try await ConsoleLab.with { lab in
            let secret = try #require(try await lab.addUser("ada", role: .admin))
            let client = lab.client()
            // A session from before signing in (here: an old one) must not survive the sign-in.
            let (stale, _) = try await lab.session(for: "ada", stage: .secondFactor)
            let first = try await client.post("/login", form: [("user", "ada"), ("password", ConsoleLab.password)], cookie: stale)
            #expect(first.status == 303 && first.header("Location") == "/login/code")
            let pending = try #require(first.setCookie)
            #expect(pending != stale)
            let attributes = try #require(first.headers("Set-Cookie").first)
            #expect(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict") && attributes.contains("Path=/"))
            #expect(try await client.get("/login/code", cookie: stale).status == 401)
            // Half signed in: nothing but the code page.
            #expect(try await client.get("/", cookie: pending).status == 401)
            #expect(try await client.get("/api/v1/status", cookie: pending).status == 401)
            let codePage = try await client.get("/login/code", cookie: pending)
            #expect(codePage.status == 200)
            let csrf = try #require(Self.hidden("csrf", in: codePage.body))
            let second = try await client.post("/login/code", form: [("csrf", csrf), ("code", lab.code(secret))], cookie: pending)
            #expect(second.status == 303 && second.header("Location") == "/")
            let full = try #require(second.setCookie)
            #expect(full != pending)
            #expect(try await client.get("/", cookie: full).status == 200)
            #expect(try await client.get("/", cookie: pending).status == 401)
            let log = try await lab.store.auditEntries(since: nil, limit: 10)
            #expect(log.map(\.action) == ["login"] && log.first?.after == "password and TOTP" && log.first?.source == "127.0.0.10")
        }
    }

    @Test("a TOTP code is accepted once: the same code for a second sign-in is refused")
    func replayedCode() async throws {
        try await ConsoleLab.with { lab in
            let secret = try #require(try await lab.addUser("otto", role: .operator))
            let client = lab.client()
            let code = lab.code(secret)
            for attempt in 0..<2 {
                let first = try await client.post("/login", form: [("user", "otto"), ("password", ConsoleLab.password)])
                let pending = try #require(first.setCookie)
                let csrf = try #require(Self.hidden("csrf", in: try await client.get("/login/code", cookie: pending).body))
                let second = try await client.post("/login/code", form: [("csrf", csrf), ("code", code)], cookie: pending)
                #expect(second.status == (attempt == 0 ? 303 : 401), "attempt \(attempt)")
            }
            // The next step's code works (clock skew of one step either side is allowed).
            let first = try await client.post("/login", form: [("user", "otto"), ("password", ConsoleLab.password)])
            let pending = try #require(first.setCookie)
            let csrf = try #require(Self.hidden("csrf", in: try await client.get("/login/code", cookie: pending).body))
            #expect(try await client.post("/login/code", form: [("csrf", csrf), ("code", lab.code(secret, offset: 1))], cookie: pending).status == 303)
        }
    }

    @Test("a wrong password and an unknown user get the same answer; every failure is in the audit log")
    func wrongPassword() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("vera", role: .viewer)
            let client = lab.client()
            let wrong = try await client.post("/login", form: [("user", "vera"), ("password", "not the password at all")])
            let unknown = try await client.post("/login", form: [("user", "nobody"), ("password", "not the password at all")])
            #expect(wrong.status == 401 && unknown.status == 401 && wrong.setCookie == nil)
            #expect(wrong.body == unknown.body)
            let viewer = try await client.post("/login", form: [("user", "vera"), ("password", ConsoleLab.password)])
            #expect(viewer.status == 303 && viewer.header("Location") == "/")
            let log = try await lab.store.auditEntries(since: nil, limit: 10)
            #expect(log.map(\.action) == ["login.failed", "login.failed", "login"])
            #expect(log.map(\.target) == ["vera", "nobody", "vera"])
        }
    }

    @Test("an account backs off after three failures and takes at most 100 an hour, from any source")
    func backoff() async throws {
        try await ConsoleLab.with(configure: { $0.banAfterFailures = 1000 }) { lab in
            try await lab.addUser("vera", role: .viewer)
            let client = lab.client()
            for _ in 0..<3 {
                #expect(try await client.post("/login", form: [("user", "vera"), ("password", "guess guess guess")]).status == 401)
            }
            let waiting = try await client.post("/login", form: [("user", "vera"), ("password", ConsoleLab.password)])
            #expect(waiting.status == 429 && waiting.header("Retry-After") == "1")
            lab.clock.advance(1)
            #expect(try await client.post("/login", form: [("user", "vera"), ("password", ConsoleLab.password)]).status == 303)
        }
        var throttle = LoginThrottle(banAfter: 1000, window: 900, banFor: 3600)
        var now = Date(timeIntervalSince1970: 1_796_000_000)
        for index in 0..<100 {
            throttle.recordFailure(source: "192.0.2.\(index % 50)", account: "vera", at: now)
            now.addTimeInterval(30)
        }
        #expect(throttle.check(source: "198.51.100.1", account: "vera", at: now) != .allowed)
        if case .wait(let seconds) = throttle.check(source: "198.51.100.1", account: "vera", at: now) { #expect(seconds > 60) }
        #expect(throttle.check(source: "198.51.100.1", account: "ana", at: now) == .allowed)
        // A source ban ends by itself.
        var bans = LoginThrottle(banAfter: 2, window: 900, banFor: 3600)
        #expect(bans.recordFailure(source: "192.0.2.66", account: "a", at: now) == nil)
        #expect(bans.recordFailure(source: "192.0.2.66", account: "b", at: now) == now.addingTimeInterval(3600))
        #expect(bans.isBanned("192.0.2.66", at: now.addingTimeInterval(3599)) && !bans.isBanned("192.0.2.66", at: now.addingTimeInterval(3600)))
    }

    @Test("a source that keeps failing is banned from the console: its connections are closed unanswered, other sources still served, and an admin can lift it")
    func sourceBan() async throws {
        try await ConsoleLab.with(configure: { $0.banAfterFailures = 5 }) { lab in
            try await lab.addUser("vera", role: .viewer)
            let attacker = lab.client(from: "127.0.0.66")
            for index in 0..<5 {
                let answer = try await attacker.post("/login", form: [("user", "user\(index)"), ("password", "password\(index)")])
                #expect(answer.status == 401)
            }
            let refused = try await attacker.get("/login")
            #expect(refused.status == 0, "\(refused)")
            #expect(try await lab.client().get("/login").status == 200)
            #expect(try await lab.store.auditEntries(since: nil, limit: 20).contains { $0.action == "console.ban" && $0.target == "127.0.0.66" })
            // Another admin sees the console ban (not a SIP ban) and lifts it.
            try await lab.addUser("ada", role: .admin)
            let (cookie, csrf) = try await lab.session(for: "ada")
            let bans = try await lab.client().get("/bans", cookie: cookie)
            #expect(bans.body.contains("Banned from the console for failed sign-ins") && bans.body.contains("<td>127.0.0.66</td>"))
            #expect(try await lab.store.activeBans(at: lab.clock.now).isEmpty, "a console ban is not a SIP ban")
            let lifted = try await lab.client().post("/bans/console/lift", form: [("csrf", csrf), ("source", "127.0.0.66")], cookie: cookie)
            #expect(lifted.status == 200 && lifted.body.contains("may use the console again"))
            #expect(try await attacker.get("/login").status == 200)
            #expect(try await lab.store.auditEntries(since: nil, limit: 30).contains { $0.action == "console.unban" && $0.actor == "ada" })
        }
    }

    @Test("idle for 30 minutes or signed in for 12 hours ends a session; logout ends it at once")
    func timeouts() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("vera", role: .viewer)
            let client = lab.client()
            let (idle, _) = try await lab.session(for: "vera")
            lab.clock.advance(29 * 60)
            #expect(try await client.get("/", cookie: idle).status == 200)
            lab.clock.advance(29 * 60)
            #expect(try await client.get("/", cookie: idle).status == 200)
            lab.clock.advance(30 * 60 + 1)
            #expect(try await client.get("/", cookie: idle).status == 401)
            let (busy, _) = try await lab.session(for: "vera")
            for _ in 0..<25 {
                lab.clock.advance(29 * 60)
                _ = try await client.get("/api/v1/status", cookie: busy)
            }
            #expect(try await client.get("/", cookie: busy).status == 401)
            let (current, csrf) = try await lab.session(for: "vera")
            let out = try await client.post("/logout", form: [("csrf", csrf)], cookie: current)
            #expect(out.status == 303 && out.header("Set-Cookie")?.contains("Max-Age=0") == true)
            #expect(try await client.get("/", cookie: current).status == 401)
        }
    }

    @Test("a session is kept in the store: after the console restarts on the same store the cookie still works")
    func survivesRestart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-console-restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tollgate.db").path
        let cookie = try await ConsoleLab.with(store: try SQLiteStore(path: path)) { lab in
            try await lab.addUser("vera", role: .viewer)
            let login = try await lab.client().post("/login", form: [("user", "vera"), ("password", ConsoleLab.password)])
            return try #require(login.setCookie)
        }
        try await ConsoleLab.with(store: try SQLiteStore(path: path)) { lab in
            let page = try await lab.client().get("/", cookie: cookie)
            #expect(page.status == 200)
        }
    }

    /// The value of a hidden form field in a page.
    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}
