import Foundation

/// An account's fraud counters at one moment, as `tollgate account show` prints them.
public struct AccountSnapshot: Sendable, Hashable, Codable {
    public var account: String
    /// The group that named the account, if any.
    public var group: String?
    /// Its class of service.
    public var classOfService: String
    /// Calls started in the last 60 seconds.
    public var callsLastMinute: Int
    /// Calls in progress.
    public var concurrentCalls: Int
    /// Calls started today (calendar day in the configured time zone).
    public var callsToday: Int
    /// International, premium and high-risk calls in the last hour.
    public var internationalLastHour: Int
    /// The current run of sequential short calls, and the prefix they went to.
    public var shortCallRun: Int
    public var shortCallPrefix: String?
    /// Answered minutes today, calls in progress included.
    public var minutesToday: Double
    /// When the counters were read.
    public var time: Date

    public init(
        account: String, group: String?, classOfService: String, callsLastMinute: Int, concurrentCalls: Int, callsToday: Int,
        internationalLastHour: Int, shortCallRun: Int, shortCallPrefix: String?, minutesToday: Double, time: Date
    ) {
        self.account = account
        self.group = group
        self.classOfService = classOfService
        self.callsLastMinute = callsLastMinute
        self.concurrentCalls = concurrentCalls
        self.callsToday = callsToday
        self.internationalLastHour = internationalLastHour
        self.shortCallRun = shortCallRun
        self.shortCallPrefix = shortCallPrefix
        self.minutesToday = minutesToday
        self.time = time
    }
}

/// An account stopped from calling out until an operator resumes it.
public struct AccountSuspension: Sendable, Hashable, Codable {
    public var account: String
    /// When it was suspended.
    public var since: Date
    /// The rule whose critical level suspended it.
    public var rule: String
    /// Why, with the values and the limit.
    public var reason: String

    public init(account: String, since: Date, rule: String, reason: String) {
        self.account = account
        self.since = since
        self.rule = rule
        self.reason = reason
    }
}
