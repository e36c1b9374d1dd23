import Foundation
import Testing
import TollgateStore
import TollgateStorePostgres
import TollgateStoreSQLite
import TollgateTestSupport

/// A store backend the conformance suite runs against: every test takes one and sees only the
/// ``Store`` protocols, so a new backend passes the same suite by being added here.
struct StoreBackend: Sendable, CustomTestStringConvertible {
    let name: String
    /// A new, empty store.
    let make: @Sendable () async throws -> any Store
    /// Two connections to one new, empty store (a gateway and a command, or two nodes).
    let makePair: @Sendable () async throws -> (any Store, any Store)

    var testDescription: String { name }

    static let sqliteFile = StoreBackend(
        name: "SQLite file",
        make: { try SQLiteStore(path: scratch.path("conformance-\(UUID().uuidString).db")) },
        makePair: {
            let path = scratch.path("conformance-\(UUID().uuidString).db")
            return (try SQLiteStore(path: path), try SQLiteStore(path: path))
        })

    static let sqliteMemory = StoreBackend(
        name: "SQLite in memory",
        make: { try SQLiteStore.inMemory() },
        makePair: { throw StoreError.cannotOpen(path: ":memory:", reason: "an in-memory store has one connection") })

    /// PostgreSQL: each store a new database on the test server (`$TOLLGATE_TEST_POSTGRES`).
    static let postgres = StoreBackend(
        name: "PostgreSQL",
        make: { try await PostgresStore.connect(url: try await PostgresTestServer.newDatabase(prefix: "conformance")) },
        makePair: {
            let url = try await PostgresTestServer.newDatabase(prefix: "conformance")
            return (try await PostgresStore.connect(url: url), try await PostgresStore.connect(url: url))
        })

    /// Every backend; PostgreSQL when a test server is there (see ``PostgresTestServer``).
    static let all: [StoreBackend] = [sqliteFile, sqliteMemory] + (PostgresTestServer.enabled ? [postgres] : [])
    /// The backends several connections (processes, nodes) can share.
    static let shared: [StoreBackend] = [sqliteFile] + (PostgresTestServer.enabled ? [postgres] : [])

    /// Where the file backends' databases go; removed when the test process starts the next time.
    static let scratch: TemporaryFolder = {
        let base = FileManager.default.temporaryDirectory
        if let old = try? FileManager.default.contentsOfDirectory(atPath: base.path) {
            for name in old where name.hasPrefix("tollgate-store-conformance-") {
                try? FileManager.default.removeItem(at: base.appendingPathComponent(name))
            }
        }
        return try! TemporaryFolder(prefix: "tollgate-store-conformance-")
    }()
}
