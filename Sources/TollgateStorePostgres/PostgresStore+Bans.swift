import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

extension PostgresStore {
    static let banColumns = "source, since, until, rule, reason, offences, origin"

    static func ban(_ cells: inout PostgresCells) throws -> Ban {
        Ban(source: try cells.next(), since: try cells.date(), until: try cells.date(), rule: try cells.next(), reason: try cells.next(),
            offences: try cells.next(Int.self), origin: Ban.Origin(rawValue: try cells.next(String.self)) ?? .automatic)
    }

    public func saveBan(_ ban: Ban) async throws(StoreError) {
        try await transaction { transaction in
            let revision = try await transaction.bumpRevision(PostgresMigrations.bansRevisionKey)
            var statement = PostgresStatement("INSERT INTO bans (source, since, until, rule, reason, offences, origin, revision) VALUES (")
            statement.append([
                statement.bind(ban.source.storableText), statement.bind(ban.since.timeIntervalSince1970),
                statement.bind(ban.until.timeIntervalSince1970), statement.bind(ban.rule.storableText), statement.bind(ban.reason.storableText),
                statement.bind(ban.offences), statement.bind(ban.origin.rawValue), statement.bind(revision),
            ].joined(separator: ", "))
            statement.append("""
                ) ON CONFLICT (source) DO UPDATE SET since = excluded.since, until = excluded.until, rule = excluded.rule,
                    reason = excluded.reason, offences = excluded.offences, origin = excluded.origin, revision = excluded.revision
                """)
            try await transaction.execute(statement)
            try await transaction.notify(.bans)
        }
    }

    public func ban(source: String) async throws(StoreError) -> Ban? {
        var statement = PostgresStatement("SELECT \(Self.banColumns) FROM bans WHERE source = ")
        statement.append(statement.bind(source.storableText))
        return try await rows(statement, Self.ban).first
    }

    public func activeBans(at date: Date) async throws(StoreError) -> [Ban] {
        var statement = PostgresStatement("SELECT \(Self.banColumns) FROM bans WHERE until > ")
        statement.append("\(statement.bind(date.timeIntervalSince1970)) ORDER BY until, source")
        return try await rows(statement, Self.ban)
    }

    public func allBans() async throws(StoreError) -> [Ban] {
        try await rows("SELECT \(Self.banColumns) FROM bans ORDER BY until, source", Self.ban)
    }

    public func liftBan(source: String, at date: Date) async throws(StoreError) -> Bool {
        try await lift(source: source, at: date) > 0
    }

    public func liftAllBans(at date: Date) async throws(StoreError) -> Int {
        try await lift(source: nil, at: date)
    }

    /// Ends the bans in force of `source` (all when `nil`) at `date`, under one new revision.
    private func lift(source: String?, at date: Date) async throws(StoreError) -> Int {
        try await transaction { transaction in
            // The revision is taken first, so concurrent lifts and saves are ordered by it.
            let revision = try await transaction.bumpRevision(PostgresMigrations.bansRevisionKey)
            var statement = PostgresStatement()
            let time = statement.bind(date.timeIntervalSince1970)
            statement.append("UPDATE bans SET until = \(time), revision = \(statement.bind(revision)) WHERE until > \(time)")
            if let source { statement.append(" AND source = \(statement.bind(source.storableText))") }
            statement.append(" RETURNING 1")
            let lifted = try await transaction.execute(statement)
            // Nothing lifted: no new revision either.
            if lifted == 0 { throw RollBack(returning: 0) }
            try await transaction.notify(.bans)
            return lifted
        }
    }

    public func bansRevision() async throws(StoreError) -> Int64 {
        try await revision(PostgresMigrations.bansRevisionKey)
    }

    public func banChanges(after revision: Int64) async throws(StoreError) -> (bans: [Ban], revision: Int64) {
        // One snapshot for the rows and the revision, so a change committed between them is not skipped.
        try await transaction { transaction in
            try await transaction.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            var current = PostgresStatement("SELECT value FROM store_meta WHERE key = ")
            current.append(current.bind(PostgresMigrations.bansRevisionKey))
            let now = try await transaction.rows(current) { cells in try cells.next(Int64.self) }.first ?? 0
            var statement = PostgresStatement("SELECT \(Self.banColumns) FROM bans WHERE revision > ")
            statement.append("\(statement.bind(revision)) ORDER BY revision, source")
            return (try await transaction.rows(statement, Self.ban), max(now, revision))
        }
    }

    func revision(_ key: String) async throws(StoreError) -> Int64 {
        var statement = PostgresStatement("SELECT value FROM store_meta WHERE key = ")
        statement.append(statement.bind(key))
        return try await rows(statement) { cells in try cells.next(Int64.self) }.first ?? 0
    }
}
