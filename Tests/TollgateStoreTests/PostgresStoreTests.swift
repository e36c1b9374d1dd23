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
            #expect(try await store.appliedMigrations() == ["pg1-schema"])
            try await store.append([SecurityEvent(time: Date(timeIntervalSince1970: 1_750_000_000), kind: "scanner", source: "192.0.2.1",
                                                  rule: "r", detail: "d", severity: .warning)])
        }
        #expect(try await stores[0].eventCount(EventQuery()) == 3)
        #expect(try await PostgresTestServer.column("SELECT count(*)::text FROM tollgate_migrations", on: url) == ["1"])
    }

    @Test("a database written by a newer Tollgate is refused, naming the migration it does not know")
    func newerSchema() async throws {
        let url = try await PostgresTestServer.newDatabase(prefix: "newer")
        _ = try await PostgresStore.connect(url: url)
        try await PostgresTestServer.execute("INSERT INTO tollgate_migrations (name, applied) VALUES ('pg99-from-the-future', 0)", on: url)
        await #expect(throws: StoreError.newerSchema(known: ["pg1-schema"], found: ["pg1-schema", "pg99-from-the-future"])) {
            try await PostgresStore.connect(url: url)
        }
    }

    @Test("a server that is not there fails the open with the reason, in bounded time, and the password is not in it")
    func unreachable() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        do {
            // Port 9 (discard) on loopback: nothing listens, the connection is refused.
            _ = try await PostgresStore.connect(url: "postgres://tollgate:s3cret@127.0.0.1:9/tollgate?sslmode=disable")
            Issue.record("opened a store where there is no server")
        } catch {
            #expect(error.description.contains("cannot open the store at postgres://tollgate@127.0.0.1:9/tollgate"), "\(error)")
            #expect(!error.description.contains("s3cret"))
        }
        #expect(clock.now - started < PostgresStore.openTimeout + .seconds(5))
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
