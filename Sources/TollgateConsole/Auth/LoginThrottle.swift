import Foundation

/// How hard the console makes guessing passwords: per source and per account, with time passed in
/// (no clock, no I/O; the server keeps one behind a lock).
///
/// - A source with `banAfter` failures within `window` is banned from the console for `banFor`:
///   its connections are closed before HTTP is read, as Shield does for SIP.
/// - An account takes at most 100 failures an hour (OWASP ASVS 2.2.1), from however many sources;
///   past that, sign-in for it waits until the hour's oldest failure ages out.
/// - Between failures an account backs off: after the third, each attempt waits 2^(n-3) seconds,
///   at most a minute, so a guesser gets few tries a minute and a person who mistyped waits a moment.
public struct LoginThrottle: Sendable {
    /// What an attempt may do.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Try again after this many seconds.
        case wait(seconds: Int)
        /// The source is banned until then.
        case banned(until: Date)
    }

    public static let accountFailuresPerHour = 100
    public static let maximumBackoff: TimeInterval = 60

    public var banAfter: Int
    public var window: TimeInterval
    public var banFor: TimeInterval

    private var sourceFailures: [String: [Date]] = [:]
    private var accountFailures: [String: [Date]] = [:]
    private var bans: [String: Date] = [:]
    /// The most sources and accounts tracked; the quietest are forgotten first.
    private let capacity: Int

    public init(banAfter: Int, window: TimeInterval, banFor: TimeInterval, capacity: Int = 10_000) {
        self.banAfter = banAfter
        self.window = window
        self.banFor = banFor
        self.capacity = capacity
    }

    /// Whether a connection from `source` may be served at all.
    public func isBanned(_ source: String, at now: Date) -> Bool {
        guard let until = bans[source] else { return false }
        return until > now
    }

    /// Whether `source` may try to sign in as `account` now.
    public func check(source: String, account: String, at now: Date) -> Decision {
        if let until = bans[source], until > now { return .banned(until: until) }
        let recent = (accountFailures[account] ?? []).filter { now.timeIntervalSince($0) < 3600 }
        if recent.count >= Self.accountFailuresPerHour, let oldest = recent.first {
            return .wait(seconds: max(1, Int((oldest.addingTimeInterval(3600).timeIntervalSince(now)).rounded(.up))))
        }
        if recent.count >= 3, let last = recent.last {
            let backoff = min(Self.maximumBackoff, pow(2, Double(recent.count - 3)))
            let ready = last.addingTimeInterval(backoff)
            if ready > now { return .wait(seconds: max(1, Int(ready.timeIntervalSince(now).rounded(.up)))) }
        }
        return .allowed
    }

    /// Records a failure; returns the ban's end when this failure banned the source.
    @discardableResult
    public mutating func recordFailure(source: String, account: String, at now: Date) -> Date? {
        var sourceTimes = (sourceFailures[source] ?? []).filter { now.timeIntervalSince($0) < window }
        sourceTimes.append(now)
        sourceFailures[source] = sourceTimes
        var accountTimes = (accountFailures[account] ?? []).filter { now.timeIntervalSince($0) < 3600 }
        accountTimes.append(now)
        accountFailures[account] = accountTimes
        trim(at: now)
        guard sourceTimes.count >= banAfter, !isBanned(source, at: now) else { return nil }
        let until = now.addingTimeInterval(banFor)
        bans[source] = until
        sourceFailures[source] = nil
        return until
    }

    /// A successful sign-in clears the account's backoff (not the source's count: one good password
    /// among many guesses does not excuse the guesses).
    public mutating func recordSuccess(account: String) {
        accountFailures[account] = nil
    }

    /// Lifts a console ban (an operator's decision).
    public mutating func lift(_ source: String) {
        bans[source] = nil
    }

    /// The sources banned now, with when each ban ends.
    public func bannedSources(at now: Date) -> [(source: String, until: Date)] {
        bans.filter { $0.value > now }.map { ($0.key, $0.value) }.sorted { $0.source < $1.source }
    }

    private mutating func trim(at now: Date) {
        bans = bans.filter { $0.value > now }
        Self.keepNewest(&sourceFailures, capacity)
        Self.keepNewest(&accountFailures, capacity)
    }

    /// Forgets the entries whose last failure is oldest, down to `capacity`.
    private static func keepNewest(_ table: inout [String: [Date]], _ capacity: Int) {
        guard table.count > capacity else { return }
        let kept = table.sorted { ($0.value.last ?? .distantPast) > ($1.value.last ?? .distantPast) }.prefix(capacity)
        table = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }
}
