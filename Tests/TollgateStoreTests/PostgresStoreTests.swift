import Foundation
import Testing
import TollgateModel
import TollgateStore
import TollgateStorePostgres
import TollgateTestSupport

@Suite("PostgresStore: opening, migrations and a database that is not there",
       .enabled(if: PostgresTestServer.enabled, "no PostgreSQL test server ($TOLLGATE_TEST_POSTGRES; scripts/test starts one); required under CI"))
struct PostgresStoreTests {
    @Test("three nodes opening a new database at once migrate it once, and all of them work")
    func concurrentMigration() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "migrate")
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresStore.connect(url: url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for store in stores {
            #expect(try await store.appliedMigrations() == ["pg1-schema", "pg2-cluster", "pg3-event-keys"])
            try await store.append([SecurityEvent(time: Date(timeIntervalSince1970: 1_750_000_000), kind: "scanner", source: "192.0.2.1",
                                                  rule: "r", detail: "d", severity: .warning)])
        }
        #expect(try await stores[0].eventCount(EventQuery()) == 3)
        #expect(try await PostgresTestServer.column("SELECT count(*)::text FROM tollgate_migrations", on: url) == ["3"])
    }

    @Test("a database written by a newer Tollgate is refused, naming the migration it does not know")
    func newerSchema() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "newer")
        _ = try await PostgresStore.connect(url: url)
        try await PostgresTestServer.execute("INSERT INTO tollgate_migrations (name, applied) VALUES ('pg99-from-the-future', 0)", on: url)
        await #expect(throws: StoreError.newerSchema(known: ["pg1-schema", "pg2-cluster", "pg3-event-keys"], found: ["pg1-schema", "pg2-cluster", "pg3-event-keys", "pg99-from-the-future"])) {
            try await PostgresStore.connect(url: url)
        }
    }

    // A hang is the failure here: the time limit ends the test, rather than a wall-clock bound that a
    // busy machine would break.
    @Test("a server that is not there fails the open with the reason, and the password is not in it", .timeLimit(.minutes(1)))
    func unreachable() async throws {
        do {
            // Port 9 (discard) on loopback: nothing listens, the connection is refused.
            _ = try await PostgresStore.connect(url: "postgres://tollgate:s3cret@127.0.0.1:9/tollgate?sslmode=disable")
            Issue.record("opened a store where there is no server")
        } catch {
            #expect(error.description.contains("cannot open the store at postgres://tollgate@127.0.0.1:9/tollgate"), "\(error)")
            #expect(!error.description.contains("s3cret"))
        }
    }

    @Test("a wrong password is refused by the server, and the error says so without the password")
    func wrongPassword() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "auth")
        guard var components = URLComponents(string: url) else { throw PostgresTestServer.Missing() }
        components.password = "not-the-password"
        do {
            _ = try await PostgresStore.connect(url: components.string ?? url)
            Issue.record("the server accepted a wrong password")
        } catch {
            #expect(error.description.contains("password authentication failed"), "\(error)")
            #expect(!error.description.contains("not-the-password"))
        }
    }

    @Test("the location names the database without its password")
    func location() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "location")
        let store = try await PostgresStore.connect(url: url)
        let password = try #require(URLComponents(string: url)?.password)
        #expect(store.location.hasPrefix("postgres://tollgate@127.0.0.1:"))
        #expect(!store.location.contains(password))
    }
}

@Suite("PostgresStore: the doorbell for other nodes' changes",
       .enabled(if: PostgresTestServer.enabled, "no PostgreSQL test server ($TOLLGATE_TEST_POSTGRES; scripts/test starts one); required under CI"))
struct PostgresChangeTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// Waits up to `limit` for `change` on `stream`; whether it came.
    static func heard(_ change: StoreChange, on stream: AsyncStream<StoreChange>, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await rung in stream where rung == change { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test("a ban, a suspension and divert written by one node ring the other's doorbell with their kind")
    func rings() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "doorbell")
        let node = try await PostgresStore.connect(url: url)
        let other = try await PostgresStore.connect(url: url)
        let changes = node.changes()
        let maintaining = Task { await node.maintain() }
        defer { maintaining.cancel() }
        // Each (re)connection rings every kind once, so readers catch up: that is the sign it listens.
        #expect(await Self.heard(.bans, on: changes, within: .seconds(5)))

        try await other.saveBan(Ban(source: "192.0.2.66", since: Self.now, until: Self.now.addingTimeInterval(600), rule: "r", reason: "r"))
        #expect(await Self.heard(.bans, on: changes, within: .seconds(2)))
        try await other.saveSuspension(AccountSuspension(account: "1001", since: Self.now, rule: "r", reason: "r"))
        #expect(await Self.heard(.accounts, on: changes, within: .seconds(2)))
        try await other.setDivert(DivertState(since: Self.now, actor: "ops", reason: "drill"))
        #expect(await Self.heard(.divert, on: changes, within: .seconds(2)))
    }

    @Test("when the listening connection is killed, the node reconnects, rings, and the bans saved meanwhile are caught up")
    func reconnects() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "relisten")
        let node = try await PostgresStore.connect(url: url)
        let other = try await PostgresStore.connect(url: url)
        let changes = node.changes()
        let maintaining = Task { await node.maintain() }
        defer { maintaining.cancel() }
        #expect(await Self.heard(.bans, on: changes, within: .seconds(5)))
        let seen = try await node.bansRevision()

        let database = String(url.split(separator: "/").last ?? "")
        try await PostgresTestServer.execute("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = '\(database)' AND query ILIKE 'LISTEN%'
            """, on: url)
        for index in 1...5 {
            try await other.saveBan(Ban(source: "192.0.2.\(index)", since: Self.now, until: Self.now.addingTimeInterval(600), rule: "r", reason: "r"))
        }
        #expect(await Self.heard(.bans, on: changes, within: .seconds(5)), "the reconnection rings")
        #expect(try await node.banChanges(after: seen).bans.count == 5)
    }
}

@Suite("PostgresStore over TLS",
       .enabled(if: PostgresTestServer.enabled
                    && (PostgresTestServer.certificate != nil || ProcessInfo.processInfo.environment["CI"] == "true"),
                "no PostgreSQL test server with its certificate ($TOLLGATE_TEST_POSTGRES_DIR; scripts/test starts one); required under CI"))
struct PostgresTLSTests {
    /// `url` with `parameters` in its query.
    static func with(_ url: String, _ parameters: [(String, String)]) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        return components.string ?? url
    }

    /// How many of the database's connections named `tollgate` are encrypted, and how many are not.
    static func encryption(of url: String) async throws -> (encrypted: Int, clear: Int) {
        let database = String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
        let rows = try await PostgresTestServer.column("""
            SELECT s.ssl::text FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
            WHERE a.datname = '\(database)' AND a.application_name = 'tollgate'
            """, on: url)
        return (rows.filter { $0 == "true" }.count, rows.filter { $0 == "false" }.count)
    }

    @Test("verify-full with the server's CA connects encrypted; require connects encrypted; disable connects in clear")
    func modes() async throws {
        let certificate = try #require(PostgresTestServer.certificate)
        for (mode, encrypted) in [("verify-full", true), ("require", true), ("disable", false)] {
            let url = try await PostgresTestServer.newDatabase(prefix: "tls")
            var parameters = [("sslmode", mode)]
            if mode == "verify-full" { parameters.append(("sslrootcert", certificate)) }
            let store = try await PostgresStore.connect(url: Self.with(url, parameters))
            _ = try await store.nodes()
            let seen = try await Self.encryption(of: url)
            #expect(encrypted ? (seen.encrypted > 0 && seen.clear == 0) : (seen.clear > 0 && seen.encrypted == 0), "\(mode): \(seen)")
            await store.close()
        }
    }

    @Test("verify-full against a CA that did not sign the server's certificate is refused, with the reason")
    func wrongAuthority() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "tls_wrong")
        let folder = try TemporaryFolder()
        // Another self-signed certificate for 127.0.0.1, which never signed the test server's.
        let other = folder.path("other-ca.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder.path("other.key"), "-out", other]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        do {
            _ = try await PostgresStore.connect(url: Self.with(url, [("sslmode", "verify-full"), ("sslrootcert", other)]))
            Issue.record("connected to a server whose certificate the CA never signed")
        } catch {
            #expect(error.description.contains("cannot open the store") && error.description.contains("CERTIFICATE_VERIFY_FAILED"), "\(error)")
        }
    }
}
