import TollgateConfig

/// What Shield remembers about one source address. A fixed-size value (plus two small hash lists
/// that exist only for sources that try users or destinations), so the table of sources stays
/// within its memory budget.
struct SourceState: Sendable {
    /// When the source was last seen (the engine's ticks).
    var lastSeen: Tick
    /// The rules generation the static classification below was computed for.
    var generation: Int32
    /// The profile its address gives it, and whether that makes it trusted.
    var staticProfile: Int16
    var staticallyTrusted: Bool
    /// Promoted by a successful registration.
    var registered = false
    /// Requests over the per-source limit.
    var requests: TokenBucket
    /// INVITE, REGISTER, OPTIONS and other requests.
    var invites: TokenBucket
    var registers: TokenBucket
    var options: TokenBucket
    var others: TokenBucket
    /// Requests dropped by the limits in the profile's window.
    var limitDrops = WindowCounter()
    var malformed = WindowCounter()
    var mediaAbuse = WindowCounter()
    var authFailures = WindowCounter()
    var optionsUnregistered = WindowCounter()
    var users = DistinctCounter()
    var inviteTargets = DistinctCounter()
    /// Whether a signal-only fingerprint was already reported for this source.
    var signalled = false

    init(now: Tick, generation: Int32, profile: Int, trusted: Bool, limits: RateLimits) {
        lastSeen = now
        self.generation = generation
        staticProfile = Int16(clamping: profile)
        staticallyTrusted = trusted
        requests = TokenBucket(capacity: limits.burst, now: now)
        invites = TokenBucket(capacity: limits.invitesBurst, now: now)
        registers = TokenBucket(capacity: limits.registersBurst, now: now)
        options = TokenBucket(capacity: limits.optionsBurst, now: now)
        others = TokenBucket(capacity: limits.othersBurst, now: now)
    }

    /// Moves every time `delta` seconds back, when the engine moves its epoch forward.
    mutating func shift(by delta: Tick) {
        lastSeen -= delta
        requests.shift(by: delta)
        invites.shift(by: delta)
        registers.shift(by: delta)
        options.shift(by: delta)
        others.shift(by: delta)
        limitDrops.shift(by: delta)
        malformed.shift(by: delta)
        authFailures.shift(by: delta)
        optionsUnregistered.shift(by: delta)
        users.shift(by: delta)
        inviteTargets.shift(by: delta)
    }

    /// The trust level now (bans are kept apart).
    var trust: TrustLevel { staticallyTrusted || registered ? .trusted : .untrusted }
}

/// A profile in per-second rates and bucket sizes, ready for the token buckets.
struct RateLimits: Sendable {
    var rate: Double
    var burst: Double
    var invites: Double
    var invitesBurst: Double
    var registers: Double
    var registersBurst: Double
    var options: Double
    var optionsBurst: Double
    var others: Double
    var othersBurst: Double

    init(_ profile: RateProfile) {
        rate = profile.requestsPerSecond
        burst = max(1, profile.burst)
        // A per-minute limit allows its whole minute's worth at once at most, and at least one.
        func perSecond(_ perMinute: Double) -> (Double, Double) { (perMinute / 60, max(1, perMinute)) }
        (invites, invitesBurst) = perSecond(profile.invitesPerMinute)
        (registers, registersBurst) = perSecond(profile.registersPerMinute)
        (options, optionsBurst) = perSecond(profile.optionsPerMinute)
        (others, othersBurst) = perSecond(profile.otherPerMinute)
    }
}
