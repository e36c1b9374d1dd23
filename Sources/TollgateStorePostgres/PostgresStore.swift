import Foundation
import Logging
import PostgresNIO
import TollgateModel
import TollgateStore

/// The store in a PostgreSQL database, shared by every Tollgate node that names it.
///
/// Opening it (``connect(url:logger:)``) starts the connection pool and applies the migrations;
/// the pool runs until ``close()``, and the gateway's store upkeep (``maintain()``) closes it at
/// shutdown. Every method is one statement or one transaction on a pooled connection, so any task
/// may call any method at any time; a write that returned is committed.
public final class PostgresStore: Store {
    /// The database, as logs and `config show` name it: never the password.
    public let location: String

    let client: PostgresClient
    let logger: Logger
    let url: PostgresURL
    /// Where the gateway keeps the local CDR journal (see ``CallRecordStore/callRecordJournalBase``).
    public let callRecordJournalBase: String?
    private let running: Task<Void, Never>
    private let listener = PostgresChangeListener()

    /// How long opening waits for the database before it gives up.
    public static let openTimeout: Duration = .seconds(15)

    private init(url: PostgresURL, client: PostgresClient, logger: Logger, journal: String?, started: AsyncStream<Void>.Continuation) {
        self.url = url
        self.callRecordJournalBase = journal
        self.location = url.redacted
        self.client = client
        self.logger = logger
        self.running = Task {
            started.finish()
            await client.run()
        }
    }

    deinit {
        running.cancel()
    }

    /// Connects to the database at `url` (see ``PostgresURL``) and brings its schema up to date.
    ///
    /// One connection is made first, so that a server that is not there or refuses the password
    /// fails the open at once with the server's reason; the migrations run on it, then the pool starts.
    ///
    /// - Parameters:
    ///   - journal: Where a gateway keeps its CDR journal on local disk (`…-cdr-journal.N`), so a
    ///     call's record is durable before the database has it, and none is lost while the
    ///     database is away; `nil` for a command that writes no call records.
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the URL is wrong or the database cannot be
    ///   reached within ``openTimeout``; ``StoreError/newerSchema(known:found:)`` when a newer
    ///   Tollgate wrote it.
    public static func connect(url text: String, journal: String? = nil, logger: Logger = Logger(label: "tollgate.store.postgres"),
                               environment: [String: String] = ProcessInfo.processInfo.environment) async throws(StoreError) -> PostgresStore {
        let url = try PostgresURL(text, environment: environment)
        let configuration = try url.connectionConfiguration()
        do throws(StoreError) {
            try await withStoreDeadline(openTimeout) {
                let connection: PostgresConnection
                do {
                    connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                } catch {
                    throw StoreError(postgres: error)
                }
                do throws(StoreError) {
                    try await PostgresMigrations.migrate(connection, logger: logger)
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            }
        } catch {
            switch error {
            case .newerSchema, .migrationFailed: throw error
            default: throw .cannotOpen(path: url.redacted, reason: "\(error)")
            }
        }
        // The pool takes requests once its run loop has begun: the store is handed out after that.
        let (started, starting) = AsyncStream.makeStream(of: Void.self)
        let store = PostgresStore(url: url, client: PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: logger), logger: logger,
                                  journal: journal, started: starting)
        for await _ in started {}
        await Task.yield()
        return store
    }

    /// Ends the pool: queries after this fail. Waits until its connections are closed.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// Hears other nodes' changes (``changes()``) until the task is cancelled, then closes the pool.
    public func maintain() async {
        do {
            await listener.run(configuration: try url.connectionConfiguration(), logger: logger)
        } catch {
            logger.error("cannot hear other nodes' changes; they are read every few seconds instead", metadata: ["error": "\(error)"])
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(3600)) } catch { break }
            }
        }
        await close()
    }

    public func changes() -> AsyncStream<StoreChange> {
        listener.stream()
    }

    public func databaseTime() async throws(StoreError) -> Date {
        let seconds = try await rows("SELECT extract(epoch FROM clock_timestamp())::float8") { cells in try cells.next(Double.self) }
        guard let seconds = seconds.first else { throw StoreError.databaseError("PostgreSQL gave no time") }
        return Date(timeIntervalSince1970: seconds)
    }

    // MARK: - Schema

    /// The migrations applied to the database, in the order this build knows them.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        PostgresMigrations.ordered(try await rows("SELECT name FROM tollgate_migrations") { cells in try cells.next(String.self) })
    }

    // MARK: - Access

    /// Runs `statement` and reads each row it returns with `read`.
    func rows<Value>(_ statement: PostgresStatement, _ read: (inout PostgresCells) throws -> Value) async throws(StoreError) -> [Value] {
        do {
            var values: [Value] = []
            for try await row in try await client.query(statement.query, logger: logger) {
                var cells = PostgresCells(row)
                values.append(try read(&cells))
            }
            return values
        } catch {
            throw StoreError(postgres: error)
        }
    }

    /// Runs `sql`, a statement with no parameters, and reads each row with `read`.
    func rows<Value>(_ sql: String, _ read: (inout PostgresCells) throws -> Value) async throws(StoreError) -> [Value] {
        try await rows(PostgresStatement(sql), read)
    }

    /// Runs `statement` and returns how many rows it returned (`RETURNING 1` counts the rows a
    /// write touched).
    @discardableResult
    func execute(_ statement: PostgresStatement) async throws(StoreError) -> Int {
        try await rows(statement) { _ in () }.count
    }

    @discardableResult
    func execute(_ sql: String) async throws(StoreError) -> Int {
        try await execute(PostgresStatement(sql))
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when
    /// it throws; a ``RollBack`` thrown by `body` rolls back and returns the value it carries.
    func transaction<Value: Sendable>(_ body: (PostgresTransaction) async throws -> Value) async throws(StoreError) -> Value {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresTransaction(connection: connection, logger: logger))
            }
        } catch let error as PostgresTransactionError where error.closureError is RollBack && error.rollbackError == nil {
            guard let value = (error.closureError as? RollBack)?.value as? Value else {
                throw StoreError.databaseError("a transaction rolled back without its result")
            }
            return value
        } catch {
            throw StoreError(postgres: error)
        }
    }
}

/// Thrown inside ``PostgresStore/transaction(_:)`` to undo the transaction and answer `value`
/// (a write that turned out to change nothing must not move a revision).
struct RollBack: Error {
    let value: any Sendable

    init(returning value: any Sendable) {
        self.value = value
    }
}

/// One connection inside an open transaction.
struct PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger

    func rows<Value>(_ statement: PostgresStatement, _ read: (inout PostgresCells) throws -> Value) async throws -> [Value] {
        var values: [Value] = []
        for try await row in try await connection.query(statement.query, logger: logger) {
            var cells = PostgresCells(row)
            values.append(try read(&cells))
        }
        return values
    }

    @discardableResult
    func execute(_ statement: PostgresStatement) async throws -> Int {
        try await rows(statement) { _ in () }.count
    }

    @discardableResult
    func execute(_ sql: String) async throws -> Int {
        try await execute(PostgresStatement(sql))
    }

    /// Rings the other nodes' doorbell for `change` when the transaction commits (nothing if it rolls back).
    func notify(_ change: StoreChange) async throws {
        var statement = PostgresStatement()
        statement.append("SELECT pg_notify(\(statement.bind(PostgresChangeListener.channel)), \(statement.bind(change.rawValue)))")
        try await execute(statement)
    }

    /// Adds one to the revision named `key` in `store_meta` and returns the new value.
    func bumpRevision(_ key: String) async throws -> Int64 {
        var statement = PostgresStatement()
        statement.append("UPDATE store_meta SET value = value + 1 WHERE key = \(statement.bind(key)) RETURNING value")
        return try await rows(statement) { cells in try cells.next(Int64.self) }.first ?? 0
    }
}
