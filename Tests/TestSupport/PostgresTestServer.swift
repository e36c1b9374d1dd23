import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL server the tests use: `$TOLLGATE_TEST_POSTGRES`, a URL to its maintenance
/// database, which `scripts/test` sets after starting a throwaway server on 127.0.0.1.
///
/// Under CI (`CI=true`) the server is required: the PostgreSQL tests run and fail without it;
/// elsewhere they are skipped, saying why.
public enum PostgresTestServer {
    /// The maintenance database's URL, or `nil` when no server was started for the tests.
    public static let url: String? = ProcessInfo.processInfo.environment["TOLLGATE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// Whether the PostgreSQL tests run: there is a server, or CI requires one.
    public static let enabled: Bool = url != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// The test server's TLS certificate (self-signed, so also the CA to trust), when `scripts/test`
    /// started the server (`$TOLLGATE_TEST_POSTGRES_DIR/server.crt`).
    public static let certificate: String? = {
        guard let directory = ProcessInfo.processInfo.environment["TOLLGATE_TEST_POSTGRES_DIR"] else { return nil }
        let path = directory + "/server.crt"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    public struct Missing: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "no PostgreSQL test server: set TOLLGATE_TEST_POSTGRES (scripts/test starts one)" }
    }

    /// Creates a new, empty database on the test server and returns its URL.
    public static func newDatabase(prefix: String = "tollgate_test") async throws -> String {
        guard let url else { throw Missing() }
        let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        try await withAdmin(url) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        return replacingDatabase(in: url, with: name)
    }

    /// Runs `sql` (no parameters) against the database at `databaseURL`, for a test that must reach
    /// behind the store (end a backend, look at a table).
    public static func execute(_ sql: String, on databaseURL: String) async throws {
        try await withAdmin(databaseURL) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }

    /// The first column of every row `sql` returns, as text.
    public static func column(_ sql: String, on databaseURL: String) async throws -> [String?] {
        try await withAdmin(databaseURL) { connection in
            var values: [String?] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                values.append(try row.makeRandomAccess()[0].decode(String?.self))
            }
            return values
        }
    }

    static let logger = Logger(label: "tollgate.test.postgres")

    private static func withAdmin<Value: Sendable>(_ text: String, _ body: @Sendable (PostgresConnection) async throws -> Value) async throws -> Value {
        guard let components = URLComponents(string: text), let host = components.host else { throw Missing() }
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres", password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let value = try await body(connection)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}
