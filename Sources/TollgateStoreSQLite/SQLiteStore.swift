import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// The default ``Store``: one SQLite database file, in WAL mode, shared by the running gateway and
/// the `tollgate` commands.
///
/// - Writers wait up to ``busyTimeout`` for one another, so a command run by an operator and the
///   gateway can write the same file at once.
/// - Every write is one immediate transaction; `synchronous = NORMAL` with WAL means a write that
///   returned survives a crash of the process (not necessarily a power cut).
/// - Times are Unix seconds (`REAL`), indexed.
/// - Text is kept as given, except that a NUL character is stored as U+2400 (␀), because SQLite
///   text read back would end at it.
/// - Opening applies the migrations of ``StoreMigrations`` this build knows, and refuses a database
///   that a newer build has migrated further.
public final class SQLiteStore: Store {
    /// How long a write waits for another connection's (or process's) transaction to end before it
    /// fails with "database is locked".
    public static let busyTimeout: TimeInterval = 5

    /// The database file, or `:memory:` for ``inMemory()``.
    public let path: String

    private let writer: any DatabaseWriter

    /// Opens the database at `path`, creating the file (and its folder) if needed, and migrates it.
    ///
    /// - Parameter path: The SQLite file, absolute or relative to the working directory.
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the file cannot be created or is not
    ///   a SQLite database, ``StoreError/newerSchema(known:found:)`` when a newer build wrote it,
    ///   ``StoreError/migrationFailed(_:)`` when a migration fails.
    public convenience init(path: String) throws(StoreError) {
        guard !path.isEmpty else { throw StoreError.cannotOpen(path: path, reason: "the path is empty") }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "cannot create the folder \(folder.path): \(error.localizedDescription)")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration())
        } catch {
            throw StoreError.cannotOpen(path: path, reason: StoreError.reason(error))
        }
        try self.init(writer: pool, path: path)
    }

    /// A store that lives in memory and is gone when the last reference goes; for tests and previews.
    public static func inMemory() throws(StoreError) -> SQLiteStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration())
        } catch {
            throw StoreError.cannotOpen(path: ":memory:", reason: StoreError.reason(error))
        }
        return try SQLiteStore(writer: queue, path: ":memory:")
    }

    /// Wraps an open database and brings its schema up to date.
    init(writer: any DatabaseWriter, path: String) throws(StoreError) {
        self.writer = writer
        self.path = path
        try migrate()
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "tollgate-store"
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }

    // MARK: - Schema

    private func migrate() throws(StoreError) {
        let migrator = StoreMigrations.migrator
        let known = migrator.migrations
        func applied() throws(StoreError) -> Set<String> {
            do {
                return try writer.read { db in try migrator.appliedIdentifiers(db) }
            } catch {
                throw StoreError.cannotOpen(path: path, reason: StoreError.reason(error))
            }
        }
        let before = try applied()
        if before.contains(where: { !known.contains($0) }) {
            throw StoreError.newerSchema(known: known, found: Self.ordered(before, known: known))
        }
        if known.allSatisfy(before.contains) { return }
        do {
            try migrator.migrate(writer)
        } catch {
            // Another process opening the same new file may have migrated it first; its
            // migrations are ours, so the schema is what we need.
            let after = try applied()
            if after.contains(where: { !known.contains($0) }) {
                throw StoreError.newerSchema(known: known, found: Self.ordered(after, known: known))
            }
            guard known.allSatisfy(after.contains) else { throw StoreError.migrationFailed(StoreError.reason(error)) }
        }
    }

    /// Applied migration names: the known ones in their order, then the unknown ones sorted.
    private static func ordered(_ applied: Set<String>, known: [String]) -> [String] {
        known.filter(applied.contains) + applied.subtracting(known).sorted()
    }

    /// The names of the migrations applied to this database, in order.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        let known = StoreMigrations.migrator.migrations
        let applied = try await read { db in try StoreMigrations.migrator.appliedIdentifiers(db) }
        return Self.ordered(applied, known: known)
    }

    // MARK: - Events

    public func append(_ events: [SecurityEvent]) async throws(StoreError) {
        guard !events.isEmpty else { return }
        // An event whose key is stored already (written again after a lost answer, or replayed
        // from a journal) is skipped.
        try await write { db in
            for event in events {
                var record = EventRecord(event)
                try record.insert(db, onConflict: .ignore)
            }
        }
    }

    public func events(_ query: EventQuery) async throws(StoreError) -> [SecurityEvent] {
        guard query.limit > 0 else { return [] }
        let records = try await read { db in
            var (filter, arguments) = Self.eventFilter(query)
            arguments += [query.limit]
            return try EventRecord.fetchAll(
                db, sql: "SELECT * FROM events\(filter) ORDER BY time DESC, id DESC LIMIT ?", arguments: arguments)
        }
        return records.map(\.event)
    }

    public func eventCount(_ query: EventQuery) async throws(StoreError) -> Int {
        let (filter, arguments) = Self.eventFilter(query)
        return try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events\(filter)", arguments: arguments) } ?? 0
    }

    /// The `WHERE` clause of `query` (all but its limit) and its arguments.
    static func eventFilter(_ query: EventQuery) -> (String, StatementArguments) {
        var clauses: [String] = []
        var arguments = StatementArguments()
        if let since = query.since {
            clauses.append("time >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        if let kind = query.kind {
            clauses.append("kind = ?")
            arguments += [kind]
        }
        if let kinds = query.kinds {
            clauses.append(kinds.isEmpty ? "0" : "kind IN (\(kinds.map { _ in "?" }.joined(separator: ", ")))")
            for kind in kinds { arguments += [kind] }
        }
        if let source = query.source {
            clauses.append("source = ?")
            arguments += [source]
        }
        if let id = query.id {
            clauses.append("id = ?")
            arguments += [id]
        }
        if let text = query.text {
            clauses.append("(instr(detail, ?) > 0 OR source = ? OR rule = ?)")
            arguments += [text, text, text]
        }
        if let before = query.before {
            clauses.append("(time < ? OR (time = ? AND id < ?))")
            arguments += [before.time.timeIntervalSince1970, before.time.timeIntervalSince1970, before.id]
        }
        return (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    public func pruneEvents(olderThan date: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM events WHERE time < ?", arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    // MARK: - Bans

    public func saveBan(_ ban: Ban) async throws(StoreError) {
        try await write { db in
            let revision = try Self.currentBansRevision(db) + 1
            try BanRecord(ban).save(db, revision: revision)
            try Self.setBansRevision(db, revision)
        }
    }

    public func ban(source: String) async throws(StoreError) -> Ban? {
        try await read { db in try BanRecord.fetchOne(db, key: source) }?.ban
    }

    public func activeBans(at date: Date) async throws(StoreError) -> [Ban] {
        try await read { db in
            try BanRecord.fetchAll(
                db, sql: "SELECT * FROM bans WHERE until > ? ORDER BY until, source", arguments: [date.timeIntervalSince1970])
        }.map(\.ban)
    }

    /// Every ban record, active or expired, soonest to expire first.
    public func allBans() async throws(StoreError) -> [Ban] {
        try await read { db in try BanRecord.fetchAll(db, sql: "SELECT * FROM bans ORDER BY until, source") }.map(\.ban)
    }

    public func liftBan(source: String, at date: Date) async throws(StoreError) -> Bool {
        try await lift(source: source, at: date) > 0
    }

    public func liftAllBans(at date: Date) async throws(StoreError) -> Int {
        try await lift(source: nil, at: date)
    }

    /// Ends the bans in force of `source` (all when `nil`) at `date` under one new revision; the
    /// revision moves only when a ban was lifted.
    private func lift(source: String?, at date: Date) async throws(StoreError) -> Int {
        try await write { db in
            let time = date.timeIntervalSince1970
            let revision = try Self.currentBansRevision(db) + 1
            if let source {
                try db.execute(sql: "UPDATE bans SET until = ?, revision = ? WHERE source = ? AND until > ?",
                               arguments: [time, revision, source, time])
            } else {
                try db.execute(sql: "UPDATE bans SET until = ?, revision = ? WHERE until > ?", arguments: [time, revision, time])
            }
            let lifted = db.changesCount
            if lifted > 0 { try Self.setBansRevision(db, revision) }
            return lifted
        }
    }

    public func bansRevision() async throws(StoreError) -> Int64 {
        try await read { db in try Self.currentBansRevision(db) }
    }

    public func banChanges(after revision: Int64) async throws(StoreError) -> (bans: [Ban], revision: Int64) {
        try await read { db in
            let current = try Self.currentBansRevision(db)
            let records = try BanRecord.fetchAll(
                db, sql: "SELECT source, since, until, rule, reason, offences, origin FROM bans WHERE revision > ? ORDER BY revision, source",
                arguments: [revision])
            return (records.map(\.ban), max(current, revision))
        }
    }

    private static func currentBansRevision(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [StoreMigrations.bansRevisionKey]) ?? 0
    }

    private static func setBansRevision(_ db: Database, _ revision: Int64) throws {
        try db.execute(
            sql: "INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [StoreMigrations.bansRevisionKey, revision])
    }

    // MARK: - Access

    /// Runs `body` in one immediate transaction: the write lock is taken at the start, so a writer in
    /// another process makes this one wait (up to ``busyTimeout``) instead of failing halfway.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.writeWithoutTransaction { db in try Self.immediateTransaction(db, body) }
        } catch {
            throw StoreError(error)
        }
    }

    /// ``write(_:)`` on the calling thread: blocks it until the transaction has committed. Only for
    /// a thread of its own (the CDR writer's), never an event loop or a task.
    func writeBlocking<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.writeWithoutTransaction { db in try Self.immediateTransaction(db, body) }
        } catch {
            throw StoreError(error)
        }
    }

    /// `body` in one immediate transaction on `db`, committed when it returns.
    private static func immediateTransaction<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        var result: T?
        try db.inTransaction(.immediate) {
            result = try body(db)
            return .commit
        }
        guard let result else { throw StoreError.databaseError("the transaction ended without a result") }
        return result
    }

    // MARK: - Checkpoints

    /// Takes WAL checkpoints off this store's commits and returns what runs them instead, on a
    /// connection of its own; `nil` for an in-memory store.
    ///
    /// By default the commit that grows the WAL past 1,000 pages copies it into the database file
    /// and waits for the disk, which holds that commit (and whoever waits for it) for milliseconds.
    /// After this call commits only append to the WAL. The owner must call
    /// ``SQLiteCheckpointer/checkpoint()`` regularly (a passive checkpoint runs beside writers
    /// without blocking them) and ``checkpointBlocking()`` now and then between its writes, so the
    /// WAL starts over. Other processes opening the file keep automatic checkpoints.
    public func separateCheckpoints() throws(StoreError) -> SQLiteCheckpointer? {
        guard path != ":memory:" else { return nil }
        do {
            let checkpointer = try SQLiteCheckpointer(queue: DatabaseQueue(path: path, configuration: Self.configuration()))
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
            return checkpointer
        } catch {
            throw StoreError(error)
        }
    }

    /// A passive checkpoint on the writing connection, on the calling thread (the CDR writer's,
    /// between its transactions). Only a checkpoint that ends with no write in between lets the
    /// next write start the WAL over; the ones of ``SQLiteCheckpointer`` run beside the writes and
    /// leave little for this one to copy. Returns the pages in the WAL and those copied; does
    /// nothing for an in-memory store.
    @discardableResult
    public func checkpointBlocking() throws(StoreError) -> (logged: Int, copied: Int) {
        guard path != ":memory:" else { return (0, 0) }
        do {
            let result = try writer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            return (result.walFrameCount, result.checkpointedFrameCount)
        } catch {
            throw StoreError(error)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw StoreError(error)
        }
    }
}

/// Runs the WAL checkpoints of a store that handed them over (``SQLiteStore/separateCheckpoints()``).
public final class SQLiteCheckpointer: Sendable {
    private let queue: DatabaseQueue

    init(queue: DatabaseQueue) {
        self.queue = queue
    }

    /// Copies what the WAL holds into the database file as far as no reader needs it (a passive
    /// checkpoint: writers and readers go on meanwhile). Returns the pages in the WAL and those copied.
    @discardableResult
    public func checkpoint() async throws(StoreError) -> (logged: Int, copied: Int) {
        do {
            let result = try await queue.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            return (result.walFrameCount, result.checkpointedFrameCount)
        } catch {
            throw StoreError(error)
        }
    }
}
