import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// A row of `events`.
struct EventRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "events"

    var id: Int64?
    var key: String
    var time: Double
    var kind: String
    var source: String
    var rule: String
    var detail: String
    var severity: String

    init(_ event: SecurityEvent) {
        id = event.id
        key = event.key.uuidString
        time = event.time.timeIntervalSince1970
        kind = event.kind.storableText
        source = event.source.storableText
        rule = event.rule.storableText
        detail = event.detail.storableText
        severity = event.severity.rawValue
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The event; a severity this build does not know (written by a newer one) reads as `notice`.
    var event: SecurityEvent {
        // Every row has a key since `v17-event-keys`; one that is not a UUID would be a foreign write.
        SecurityEvent(id: id, key: UUID(uuidString: key) ?? UUID(), time: Date(timeIntervalSince1970: time), kind: kind, source: source, rule: rule, detail: detail,
                      severity: SecurityEvent.Severity(rawValue: severity) ?? .notice)
    }
}

/// A row of `bans`, keyed by source.
struct BanRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "bans"

    var source: String
    var since: Double
    var until: Double
    var rule: String
    var reason: String
    var offences: Int
    var origin: String

    init(_ ban: Ban) {
        source = ban.source.storableText
        since = ban.since.timeIntervalSince1970
        until = ban.until.timeIntervalSince1970
        rule = ban.rule.storableText
        reason = ban.reason.storableText
        offences = ban.offences
        origin = ban.origin.rawValue
    }

    /// The ban; an origin this build does not know reads as `automatic`.
    var ban: Ban {
        Ban(source: source, since: Date(timeIntervalSince1970: since), until: Date(timeIntervalSince1970: until), rule: rule,
            reason: reason, offences: offences, origin: Ban.Origin(rawValue: origin) ?? .automatic)
    }

    /// Inserts the record, or replaces every column of the record with the same source.
    /// Writes the record under `revision`, replacing the one of the same source.
    func save(_ db: Database, revision: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO bans (source, since, until, rule, reason, offences, origin, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source) DO UPDATE SET since = excluded.since, until = excluded.until, rule = excluded.rule,
                    reason = excluded.reason, offences = excluded.offences, origin = excluded.origin, revision = excluded.revision
                """,
            arguments: [source, since, until, rule, reason, offences, origin, revision])
    }
}
