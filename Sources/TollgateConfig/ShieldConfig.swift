import TollgateModel

/// Shield: the intrusion-prevention rules in front of the gateway (allow- and deny-lists, rate
/// limits per trust level, scanner fingerprints, behaviour detection, auth-failure tracking, bans).
///
/// Every field has a safe default; an operator tunes it under `shield:` in `tollgate.yaml`, and the
/// running gateway reloads it on SIGHUP.
public struct ShieldConfig: Sendable, Hashable, Codable {
    /// Whether Shield runs at all. Turning it off leaves only the gateway's default-deny admission.
    public var enabled: Bool = true
    /// Proxies in front of Tollgate whose recorded client address (the `received` of the Via they
    /// passed on) is limited and banned instead of their own.
    public var trustedProxies: [AddressRange] = []
    /// External sources treated as trusted (besides trunks' allowed sources).
    public var allow: [AddressRange] = []
    /// Sources always refused, before parsing.
    public var deny: [AddressRange] = []
    /// Sources never banned automatically (trunks and the PBX never are either).
    public var neverBan: [AddressRange] = []
    /// Requests per second (and burst) from all untrusted sources together; 0 turns it off.
    public var globalRequestsPerSecond: Double = 2000
    /// The most sources tracked at once; the least recently seen are forgotten first.
    public var maxTrackedSources: Int = 100_000
    /// Seconds after which a quiet source is forgotten.
    public var sourceExpiry: Double = 600
    /// Named rate-limit profiles; `trusted`, `registered` and `untrusted` always exist (the
    /// defaults below unless given here).
    public var profiles: [String: RateProfile] = RateProfile.defaults
    /// Profiles given to particular peers (address ranges or trunks).
    public var peers: [PeerProfile] = []
    /// Whether requests matching a scanner fingerprint are refused and their source banned.
    public var blockScanners: Bool = true
    /// Extra fingerprint files, in the format of the shipped data file.
    public var fingerprintFiles: [String] = []
    /// Distinct users tried from one untrusted source (REGISTER, OPTIONS or INVITE user parts).
    public var enumeration = Threshold(count: 10, window: 60)
    /// Distinct INVITE destinations from a source that never registered.
    public var inviteSweep = Threshold(count: 10, window: 60)
    /// OPTIONS from an untrusted source that never registered.
    public var optionsSweep = Threshold(count: 20, window: 60)
    /// Failed or missing authentications per source (401/403/407 from the PBX) before a ban.
    public var authFailures = Threshold(count: 10, window: 600)
    /// Distinct sources failing on one account before an alarm is raised.
    public var accountAttack = Threshold(count: 5, window: 600)
    /// Malformed or invalid messages per source before a ban.
    public var malformed = Threshold(count: 10, window: 60)
    /// Media packets per source that fail SRTP authentication or come from an address that is not
    /// the call's peer (forged, replayed or injected) before a ban.
    public var mediaAbuse = Threshold(count: 500, window: 60)
    /// How long bans last and how they grow for repeat offenders.
    public var bans = BanPolicy()
    /// Whether answers for unknown and known users are made identical towards untrusted sources.
    public var concealUsers: Bool = true
    /// The realm of the challenges Tollgate makes up for unknown users until it has seen one from
    /// the PBX; default: the Request-URI's host.
    public var authRealm: String?

    public init() {}

    /// A count within a sliding window of seconds.
    public struct Threshold: Sendable, Hashable, Codable {
        public var count: Int
        public var window: Double

        public init(count: Int, window: Double) {
            self.count = count
            self.window = window
        }
    }

    /// How long a ban lasts: `duration` seconds for a first offence, multiplied by `escalation`
    /// for each earlier ban of the same source, never more than `maxDuration`.
    public struct BanPolicy: Sendable, Hashable, Codable {
        public var duration: Double = 600
        public var maxDuration: Double = 604_800
        public var escalation: Double = 4

        public init(duration: Double = 600, maxDuration: Double = 604_800, escalation: Double = 4) {
            self.duration = duration
            self.maxDuration = maxDuration
            self.escalation = escalation
        }

        /// The length of the `offence`-th ban (1 for the first).
        public func duration(forOffence offence: Int) -> Double {
            let steps = Double(max(0, offence - 1))
            return min(maxDuration, duration * pow(escalation, steps))
        }

        private func pow(_ base: Double, _ exponent: Double) -> Double {
            var result = 1.0
            var remaining = Int(exponent)
            while remaining > 0, result < 1e12 {
                result *= base
                remaining -= 1
            }
            return result
        }
    }

    /// A profile given to peers: by address ranges, or by trunk (its allowed sources).
    public struct PeerProfile: Sendable, Hashable, Codable {
        /// A label for logs.
        public var name: String?
        /// The ranges the profile applies to.
        public var sources: [AddressRange]
        /// A trunk whose allowed sources the profile applies to.
        public var trunk: String?
        /// The profile's name.
        public var profile: String
        /// Whether these peers are trusted (default true).
        public var trusted: Bool

        public init(name: String? = nil, sources: [AddressRange] = [], trunk: String? = nil, profile: String, trusted: Bool = true) {
            self.name = name
            self.sources = sources
            self.trunk = trunk
            self.profile = profile
            self.trusted = trusted
        }
    }
}

/// Rate limits for one kind of peer. A limit of 0 means no limit.
public struct RateProfile: Sendable, Hashable, Codable {
    /// Sustained requests per second.
    public var requestsPerSecond: Double
    /// Requests allowed in a burst above the sustained rate.
    public var burst: Double
    /// INVITEs per minute.
    public var invitesPerMinute: Double
    /// REGISTERs per minute.
    public var registersPerMinute: Double
    /// OPTIONS per minute.
    public var optionsPerMinute: Double
    /// Other requests (SUBSCRIBE, MESSAGE, NOTIFY, …) per minute.
    public var otherPerMinute: Double
    /// Requests dropped over the limits within `dropWindow` seconds before the source is banned (0: never).
    public var banAfterDrops: Int
    /// The window for ``banAfterDrops``, in seconds.
    public var dropWindow: Double

    public init(requestsPerSecond: Double, burst: Double, invitesPerMinute: Double = 0, registersPerMinute: Double = 0,
                optionsPerMinute: Double = 0, otherPerMinute: Double = 0, banAfterDrops: Int = 0, dropWindow: Double = 10) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.invitesPerMinute = invitesPerMinute
        self.registersPerMinute = registersPerMinute
        self.optionsPerMinute = optionsPerMinute
        self.otherPerMinute = otherPerMinute
        self.banAfterDrops = banAfterDrops
        self.dropWindow = dropWindow
    }

    /// Trunks and allow-listed peers: no per-source limit (a busy carrier is never throttled by default).
    public static let trusted = RateProfile(requestsPerSecond: 0, burst: 0)
    /// Sources that registered successfully: a phone's traffic with room to spare.
    public static let registered = RateProfile(requestsPerSecond: 20, burst: 40, invitesPerMinute: 60, registersPerMinute: 30,
                                               optionsPerMinute: 60, otherPerMinute: 120, banAfterDrops: 200, dropWindow: 10)
    /// Everyone else: about what Kamailio's stock pike allows (16 requests per 2 s), then a ban.
    public static let untrusted = RateProfile(requestsPerSecond: 5, burst: 10, invitesPerMinute: 30, registersPerMinute: 20,
                                              optionsPerMinute: 10, otherPerMinute: 30, banAfterDrops: 20, dropWindow: 10)

    /// The three built-in profiles by name.
    public static let defaults: [String: RateProfile] = ["trusted": .trusted, "registered": .registered, "untrusted": .untrusted]
}
