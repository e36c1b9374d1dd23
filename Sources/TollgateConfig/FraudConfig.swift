/// Fraud control: how dialled numbers are read and classified, which classes each account may
/// call, the call thresholds with their warning and critical levels, and the after-hours rules.
///
/// Every field has a safe default (a UK-style numbering plan, national-only calling for unknown
/// extensions, moderate thresholds); an operator tunes it under `fraud:` in `tollgate.yaml`. The
/// gateway applies it to calls leaving through a trunk, and `tollgate cdr analyze` replays it over
/// CDR files.
public struct FraudConfig: Sendable, Hashable, Codable {
    /// Whether the live policy runs in the gateway (CDRs are written either way).
    public var enabled: Bool = true
    /// The numbering plan dialled numbers are read with.
    public var numbering = Numbering()
    /// Named classes of service besides the built-in ones (``ClassOfService/builtIn``).
    public var classesOfService: [String: ClassOfService] = [:]
    /// The class of service of accounts no group names.
    public var defaultClassOfService: String = "national"

    /// Whether the operator wrote a class-of-service policy: classes, groups, or a default other than
    /// `national`. Offline analysis judges calls by destination only then.
    public var hasServiceClassPolicy: Bool {
        !classesOfService.isEmpty || !groups.isEmpty || defaultClassOfService != "national"
    }
    /// Groups of extensions with their class of service and threshold overrides; the first group
    /// naming an account wins.
    public var groups: [AccountGroup] = []
    /// The thresholds applied to each account.
    public var thresholds: Thresholds = .accountDefaults
    /// The thresholds applied to all outbound calls together.
    public var global: Thresholds = .globalDefaults
    /// Windows in which international, premium and high-risk calls are blocked or alarmed.
    public var afterHours = AfterHours()
    /// What a critical level does: the status of the rejection, and whether the account is
    /// suspended until an operator resumes it.
    public var onCritical = CriticalAction()
    /// The headers naming the calling account on the PBX's outbound calls, tried in order (the
    /// user part of the URI each holds); `From` is always the last resort.
    public var identityHeaders: [String] = ["P-Asserted-Identity", "Remote-Party-ID"]
    /// Seconds after which a call that never ended is no longer counted as in progress.
    public var maxCallDuration: Double = 14_400
    /// Each account's calls judged against its own normal, beside the thresholds.
    public var anomalies = Anomalies()

    public init() {}

    /// The anomaly rules on live calls (first destinations, volume, slow runs), learned from the
    /// store's CDRs of the last `historyDays` and from every call since.
    public struct Anomalies: Sendable, Hashable, Codable {
        public var enabled = true
        /// `alarm`: an event; `block`: a critical anomaly (a first call to a premium-rate or
        /// high-risk destination, a slow run) also refuses the call with the critical status.
        public var action: AfterHoursAction = .alarm
        /// How far back the store's CDRs are read at start-up to learn each account's normal.
        public var historyDays: Int = 60

        public init() {}
    }

    /// The local numbering plan: prefixes, extensions, emergency numbers and mobile ranges.
    public struct Numbering: Sendable, Hashable, Codable {
        /// The country calling code of the PBX's own country, digits only (`44`, `1`).
        public var countryCode: String = "44"
        /// The trunk prefix dialled before a national number (`0`; `1` in the NANP; may be empty).
        public var nationalPrefix: String = "0"
        /// The prefix dialled before an international number (`00`; `011` in the NANP).
        public var internationalPrefix: String = "00"
        /// How many digits an internal extension has.
        public var extensionDigits = DigitRange(min: 2, max: 5)
        /// When not empty, only numbers starting with one of these (and within
        /// ``extensionDigits``) are internal.
        public var internalPrefixes: [String] = []
        /// Emergency numbers, matched exactly; they are never blocked.
        public var emergency: [String] = ["112", "999"]
        /// The starts of national significant numbers that are mobile (`7` in the UK).
        public var mobilePrefixes: [String] = ["7"]
        /// Prefixes treated as high-risk besides the shipped list (E.164 digits, `+` optional).
        public var highRiskPrefixes: [String] = []

        public init(
            countryCode: String = "44", nationalPrefix: String = "0", internationalPrefix: String = "00",
            extensionDigits: DigitRange = DigitRange(min: 2, max: 5), internalPrefixes: [String] = [],
            emergency: [String] = ["112", "999"], mobilePrefixes: [String] = ["7"], highRiskPrefixes: [String] = []
        ) {
            self.countryCode = countryCode
            self.nationalPrefix = nationalPrefix
            self.internationalPrefix = internationalPrefix
            self.extensionDigits = extensionDigits
            self.internalPrefixes = internalPrefixes
            self.emergency = emergency
            self.mobilePrefixes = mobilePrefixes
            self.highRiskPrefixes = highRiskPrefixes
        }
    }

    /// An inclusive range of digit counts.
    public struct DigitRange: Sendable, Hashable, Codable {
        public var min: Int
        public var max: Int

        public init(min: Int, max: Int) {
            self.min = min
            self.max = max
        }

        /// Whether `count` digits fall within the range.
        public func contains(_ count: Int) -> Bool { count >= min && count <= max }
    }

    /// The destination classes an account may call. Emergency numbers are always allowed.
    public struct ClassOfService: Sendable, Hashable, Codable {
        /// Destination class names (`internal`, `national`, `mobile`, `international`, `premium`,
        /// `high-risk`; `emergency` is implied).
        public var allow: [String]
        /// When not empty, international calls only to these country calling codes.
        public var countries: [String]

        public init(allow: [String], countries: [String] = []) {
            self.allow = allow
            self.countries = countries
        }

        /// The classes every configuration knows: `internal`, `national` (the default for unknown
        /// extensions), `international` and `unrestricted`.
        public static let builtIn: [String: ClassOfService] = [
            "internal": ClassOfService(allow: ["internal"]),
            "national": ClassOfService(allow: ["internal", "national", "mobile"]),
            "international": ClassOfService(allow: ["internal", "national", "mobile", "international"]),
            "unrestricted": ClassOfService(allow: ["internal", "national", "mobile", "international", "premium", "high-risk"]),
        ]
    }

    /// Extensions sharing a class of service and, optionally, their own thresholds.
    public struct AccountGroup: Sendable, Hashable, Codable {
        /// A name for events and `account show`.
        public var name: String
        /// Accounts in the group: exact names (`201`), ranges of numbers (`200-249`) or prefixes
        /// ending in `*` (`3*`).
        public var accounts: [String]
        /// The class of service's name.
        public var classOfService: String
        /// Overrides of the account thresholds for this group (unset levels keep the defaults).
        public var thresholds: Thresholds?

        public init(name: String, accounts: [String], classOfService: String, thresholds: Thresholds? = nil) {
            self.name = name
            self.accounts = accounts
            self.classOfService = classOfService
            self.thresholds = thresholds
        }
    }

    /// A warning and a critical level; either may be absent (`nil`: never trips). A level of `n`
    /// allows `n` in the window: the `n + 1`-th trips it.
    public struct Level: Sendable, Hashable, Codable {
        public var warning: Double?
        public var critical: Double?

        public init(warning: Double? = nil, critical: Double? = nil) {
            self.warning = warning
            self.critical = critical
        }

        /// No level at all.
        public static let off = Level()
    }

    /// The probing rule: sequential short calls to one destination prefix.
    public struct ShortCalls: Sendable, Hashable, Codable {
        /// How many sequential short calls trip it.
        public var level: Level
        /// A call answered for fewer seconds than this is short.
        public var maxSeconds: Double
        /// How many leading digits of the E.164 number make "the same destination".
        public var prefixDigits: Int
        /// A run of short calls ends when the next comes later than this many seconds after the last.
        public var window: Double

        public init(level: Level, maxSeconds: Double = 10, prefixDigits: Int = 6, window: Double = 3600) {
            self.level = level
            self.maxSeconds = maxSeconds
            self.prefixDigits = prefixDigits
            self.window = window
        }
    }

    /// The thresholds of one scope (each account, or all calls together).
    public struct Thresholds: Sendable, Hashable, Codable {
        /// Calls started in any 60 seconds.
        public var callsPerMinute: Level
        /// Calls in progress at once.
        public var concurrentCalls: Level
        /// Calls started in one calendar day (in ``AfterHours/timeZone``).
        public var callsPerDay: Level
        /// International, premium and high-risk calls started in any 3600 seconds.
        public var internationalPerHour: Level
        /// Sequential short calls to one destination prefix (probing); per account only.
        public var shortCalls: ShortCalls
        /// Minutes of answered calls in one calendar day, calls in progress included.
        public var minutesPerDay: Level

        public init(
            callsPerMinute: Level = .off, concurrentCalls: Level = .off, callsPerDay: Level = .off,
            internationalPerHour: Level = .off, shortCalls: ShortCalls = ShortCalls(level: .off), minutesPerDay: Level = .off
        ) {
            self.callsPerMinute = callsPerMinute
            self.concurrentCalls = concurrentCalls
            self.callsPerDay = callsPerDay
            self.internationalPerHour = internationalPerHour
            self.shortCalls = shortCalls
            self.minutesPerDay = minutesPerDay
        }

        /// The documented per-account defaults.
        public static let accountDefaults = Thresholds(
            callsPerMinute: Level(warning: 6, critical: 12),
            concurrentCalls: Level(warning: 4, critical: 8),
            callsPerDay: Level(warning: 150, critical: 300),
            internationalPerHour: Level(warning: 5, critical: 10),
            shortCalls: ShortCalls(level: Level(warning: 4, critical: 8)),
            minutesPerDay: Level(warning: 240, critical: 480)
        )

        /// The documented defaults for all calls together.
        public static let globalDefaults = Thresholds(
            callsPerMinute: Level(warning: 120, critical: 300),
            concurrentCalls: Level(warning: 60, critical: 120),
            callsPerDay: Level(warning: 5000, critical: 10000),
            internationalPerHour: Level(warning: 30, critical: 60),
            minutesPerDay: Level(warning: 6000, critical: 12000)
        )
    }

    /// Days of the week, as written in the config.
    public enum Weekday: String, Sendable, Hashable, Codable, CaseIterable {
        case mon, tue, wed, thu, fri, sat, sun
    }

    /// One after-hours window: on `days`, from `from` to `to` (minutes after midnight, local
    /// time). A window whose end is not after its start runs past midnight into the next day.
    public struct TimeWindow: Sendable, Hashable, Codable {
        public var days: [Weekday]
        public var from: Int
        public var to: Int

        public init(days: [Weekday], from: Int, to: Int) {
            self.days = days
            self.from = from
            self.to = to
        }
    }

    /// What happens to a call in an after-hours window.
    public enum AfterHoursAction: String, Sendable, Hashable, Codable, CaseIterable {
        /// Reject the call.
        case block
        /// Let it through and raise a warning.
        case alarm
    }

    /// The after-hours rule.
    public struct AfterHours: Sendable, Hashable, Codable {
        /// The IANA time zone of the windows and of the calendar days (`Europe/London`).
        public var timeZone: String = "UTC"
        /// The windows; none means the rule never applies.
        public var windows: [TimeWindow] = []
        /// The destination classes it applies to.
        public var classes: [String] = ["international", "premium", "high-risk"]
        /// Block or alarm.
        public var action: AfterHoursAction = .block

        public init(timeZone: String = "UTC", windows: [TimeWindow] = [], classes: [String] = ["international", "premium", "high-risk"],
                    action: AfterHoursAction = .block) {
            self.timeZone = timeZone
            self.windows = windows
            self.classes = classes
            self.action = action
        }
    }

    /// What a critical level does.
    public struct CriticalAction: Sendable, Hashable, Codable {
        /// The SIP status of the rejection (4xx-6xx).
        public var status: Int = 403
        /// Whether the account is suspended until an operator resumes it.
        public var suspend: Bool = true

        public init(status: Int = 403, suspend: Bool = true) {
            self.status = status
            self.suspend = suspend
        }
    }
}

extension FraudConfig.AccountGroup {
    /// Whether `account` is one of the group's: an exact name, within a range of numbers of the
    /// same length (`200-249`), or after a prefix (`3*`).
    public func contains(_ account: String) -> Bool {
        accounts.contains { Self.pattern($0, matches: account) }
    }

    static func pattern(_ pattern: String, matches account: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix("*") { return account.hasPrefix(pattern.dropLast()) }
        if let dash = pattern.firstIndex(of: "-"), pattern.first != "-" {
            let low = pattern[..<dash], high = pattern[pattern.index(after: dash)...]
            guard account.count == low.count, account.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = UInt64(account), let lowValue = UInt64(low), let highValue = UInt64(high)
            else { return false }
            return value >= lowValue && value <= highValue
        }
        return pattern == account
    }

    /// What is wrong with an account pattern, or `nil`.
    public static func problem(with pattern: String) -> String? {
        if pattern.isEmpty { return "must not be empty" }
        if pattern.hasSuffix("*") {
            return pattern.dropLast().contains("*") ? "only a trailing * is allowed, found \"\(pattern)\"" : nil
        }
        if pattern.contains("*") { return "only a trailing * is allowed, found \"\(pattern)\"" }
        if let dash = pattern.firstIndex(of: "-"), pattern.first != "-" {
            let low = pattern[..<dash], high = pattern[pattern.index(after: dash)...]
            let digits = { (text: Substring) in !text.isEmpty && text.count <= 18 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
            guard digits(low), digits(high), low.count == high.count else {
                return "a range must be two numbers of the same length, such as 200-249, found \"\(pattern)\""
            }
            if let a = UInt64(low), let b = UInt64(high), a > b { return "the range \"\(pattern)\" runs backwards" }
        }
        return nil
    }
}
