import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// A row of `account_suspensions`, keyed by account.
struct SuspensionRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "account_suspensions"

    var account: String
    var since: Double
    var rule: String
    var reason: String
    var lifted: Double?

    init(_ suspension: AccountSuspension) {
        account = suspension.account.storableText
        since = suspension.since.timeIntervalSince1970
        rule = suspension.rule.storableText
        reason = suspension.reason.storableText
        lifted = nil
    }

    var suspension: AccountSuspension {
        AccountSuspension(account: account, since: Date(timeIntervalSince1970: since), rule: rule, reason: reason)
    }

    var record: SuspensionRecord {
        SuspensionRecord(suspension: suspension, lifted: lifted.map(Date.init(timeIntervalSince1970:)))
    }

    /// Inserts the row, or replaces every column of the row with the same account.
    func save(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO account_suspensions (account, since, rule, reason, lifted) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (account) DO UPDATE SET since = excluded.since, rule = excluded.rule, reason = excluded.reason,
                    lifted = excluded.lifted
                """,
            arguments: [account, since, rule, reason, lifted])
    }
}

/// A row of `account_snapshots`, keyed by account.
struct SnapshotRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "account_snapshots"

    enum CodingKeys: String, CodingKey {
        case account
        case group = "account_group"
        case classOfService = "class_of_service"
        case callsLastMinute = "calls_last_minute"
        case concurrentCalls = "concurrent_calls"
        case callsToday = "calls_today"
        case internationalLastHour = "international_last_hour"
        case shortCallRun = "short_call_run"
        case shortCallPrefix = "short_call_prefix"
        case minutesToday = "minutes_today"
        case time
    }

    var account: String
    var group: String?
    var classOfService: String
    var callsLastMinute: Int
    var concurrentCalls: Int
    var callsToday: Int
    var internationalLastHour: Int
    var shortCallRun: Int
    var shortCallPrefix: String?
    var minutesToday: Double
    var time: Double

    init(_ snapshot: AccountSnapshot) {
        account = snapshot.account.storableText
        group = snapshot.group?.storableText
        classOfService = snapshot.classOfService.storableText
        callsLastMinute = snapshot.callsLastMinute
        concurrentCalls = snapshot.concurrentCalls
        callsToday = snapshot.callsToday
        internationalLastHour = snapshot.internationalLastHour
        shortCallRun = snapshot.shortCallRun
        shortCallPrefix = snapshot.shortCallPrefix?.storableText
        minutesToday = snapshot.minutesToday
        time = snapshot.time.timeIntervalSince1970
    }

    var snapshot: AccountSnapshot {
        AccountSnapshot(
            account: account, group: group, classOfService: classOfService, callsLastMinute: callsLastMinute,
            concurrentCalls: concurrentCalls, callsToday: callsToday, internationalLastHour: internationalLastHour,
            shortCallRun: shortCallRun, shortCallPrefix: shortCallPrefix, minutesToday: minutesToday,
            time: Date(timeIntervalSince1970: time))
    }

    /// Inserts the row, or replaces every column of the row with the same account.
    func save(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO account_snapshots (account, account_group, class_of_service, calls_last_minute, concurrent_calls,
                    calls_today, international_last_hour, short_call_run, short_call_prefix, minutes_today, time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (account) DO UPDATE SET account_group = excluded.account_group,
                    class_of_service = excluded.class_of_service, calls_last_minute = excluded.calls_last_minute,
                    concurrent_calls = excluded.concurrent_calls, calls_today = excluded.calls_today,
                    international_last_hour = excluded.international_last_hour, short_call_run = excluded.short_call_run,
                    short_call_prefix = excluded.short_call_prefix, minutes_today = excluded.minutes_today, time = excluded.time
                """,
            arguments: [account, group, classOfService, callsLastMinute, concurrentCalls, callsToday, internationalLastHour,
                        shortCallRun, shortCallPrefix, minutesToday, time])
    }
}
