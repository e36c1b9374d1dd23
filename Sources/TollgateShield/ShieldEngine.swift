import SIPCore
import TollgateModel

/// Shield's decisions for one gateway: which sources are refused before parsing, which requests
/// are dropped or get their source banned, what the PBX's answers say about a source.
///
/// The engine does no I/O and reads no clock: every call is given `now` (seconds since 1970), and
/// what should be stored or logged comes back in a ``ShieldDecision``. It is confined to the
/// thread that owns it (the gateway's event loop, hence `@unchecked Sendable`), like a SwiftNIO handler; rules are swapped
/// whole with ``replaceRules(_:)``, so a reload is atomic and keeps every source's state.
public final class ShieldEngine: @unchecked Sendable {
    public private(set) var rules: ShieldRules
    var limits: [RateLimits]
    var generation: Int32 = 0
    /// The origin of the engine's ticks (seconds since 1970); moved forward once a day.
    var epoch: Double
    var sources: [IPAddress: SourceState] = [:]
    var bans: [IPAddress: ShieldBan] = [:]
    /// Bans set here that the store has not confirmed yet: a sync from the store keeps them.
    var unsaved: Set<IPAddress> = []
    /// Offences of sources banned before, for escalation; bounded like the source table.
    var offences: [IPAddress: Int] = [:]
    /// The last tick handed out: ticks never go backwards, whatever the wall clock does.
    var lastTick: Tick = 0
    /// Sources that failed authentication per account (hash of the user part).
    var accounts: [UInt64: AccountState] = [:]
    var global: TokenBucket
    /// Challenges the PBX sent, per method, to answer unknown users alike.
    var challenges = ChallengeBook()
    /// Packets refused before parsing since the engine started (here, and through ``refusals``).
    public var refusedPackets: UInt64 { refusedHere &+ refusals.refusedPackets }
    private var refusedHere: UInt64 = 0
    /// The bans and deny-list as any thread may read them (see ``ShieldRefusals``).
    public let refusals = ShieldRefusals()

    struct AccountState {
        var sources = DistinctCounter()
        var alarmedUntil: Double = 0
        var lastSeen: Double
    }

    public init(rules: ShieldRules, now: Double) {
        self.rules = rules
        self.limits = rules.profiles.map(RateLimits.init)
        self.epoch = now
        self.global = TokenBucket(capacity: max(1, rules.config.globalRequestsPerSecond), now: 0)
        refusals.update(deny: rules.deny, neverBan: rules.neverBan)
    }

    /// `now` as the engine's ticks. If the wall clock steps back, the epoch moves with it, so rate
    /// limits and windows go on from where they were instead of freezing until it catches up.
    @inline(__always)
    func tick(_ now: Double) -> Tick {
        var value = Tick(now - epoch)
        if value < lastTick {
            epoch = now - Double(lastTick)
            value = lastTick
        }
        lastTick = value
        return value
    }

    /// Swaps in new rules. Sources keep their counters and are classified again as they are seen.
    public func replaceRules(_ rules: ShieldRules) {
        self.rules = rules
        self.limits = rules.profiles.map(RateLimits.init)
        generation &+= 1
        refusals.update(deny: rules.deny, neverBan: rules.neverBan)
    }

    // MARK: - Before parsing

    /// Whether packets from `source` are refused before they are parsed: banned, or on the deny-list.
    /// Costs one hash lookup (and a range scan when a deny-list is configured).
    @inline(__always)
    public func isRefused(_ source: IPAddress, now: Double) -> Bool {
        var ban = bans.isEmpty ? nil : bans[source]
        if let expired = ban, expired.until <= now {
            bans[source] = nil
            refusals.remove(source)
            ban = nil
        }
        guard ShieldRefusals.refuses(source, ban: ban, deny: rules.deny, neverBan: rules.neverBan, now: now) else { return false }
        refusedHere &+= 1
        return true
    }

    // MARK: - Trust

    /// The trust level of a source now.
    public func trustLevel(of source: IPAddress, now: Double) -> TrustLevel {
        if let ban = bans[source], ban.until > now { return .denied }
        if rules.deny.containsAddress(source) { return .denied }
        if let state = sources[source], state.generation == generation { return state.trust }
        return classify(source).trusted ? .trusted : .untrusted
    }

    /// The name of the rate profile a source is limited by now.
    public func profileName(of source: IPAddress) -> String {
        guard let state = sources[source] else { return rules.profileName(classify(source).profile) }
        return rules.profileName(profileIndex(state))
    }

    func classify(_ source: IPAddress) -> (profile: Int, trusted: Bool) {
        for peer in rules.peers where peer.range.contains(source) { return (peer.profile, peer.trusted) }
        return (ShieldRules.untrustedProfile, false)
    }

    func profileIndex(_ state: SourceState) -> Int {
        if state.staticallyTrusted || Int(state.staticProfile) != ShieldRules.untrustedProfile { return Int(state.staticProfile) }
        return state.registered ? ShieldRules.registeredProfile : ShieldRules.untrustedProfile
    }

    /// The state of a source, created (or reclassified after a reload) as needed.
    func withState<Result>(_ source: IPAddress, now: Double, _ body: (inout SourceState) -> Result) -> Result {
        if sources[source] == nil, sources.count >= rules.config.maxTrackedSources { evict(now: now) }
        return update(&sources[source, default: newState(source, now: now)], source: source, now: now, body)
    }

    private func newState(_ source: IPAddress, now: Double) -> SourceState {
        let (profile, trusted) = classify(source)
        return SourceState(now: tick(now), generation: generation, profile: profile, trusted: trusted, limits: limits[profile])
    }

    private func update<Result>(_ state: inout SourceState, source: IPAddress, now: Double,
                                _ body: (inout SourceState) -> Result) -> Result {
        if state.generation != generation {
            // Rules were reloaded: the address may now be trusted, profiled or neither.
            let (profile, trusted) = classify(source)
            state.staticProfile = Int16(clamping: profile)
            state.staticallyTrusted = trusted
            state.generation = generation
        }
        state.lastSeen = tick(now)
        return body(&state)
    }

    /// Sources tracked now.
    public var trackedSources: Int { sources.count }

    // MARK: - Bans

    /// The bans in force at `now`, soonest to end first.
    public func activeBans(now: Double) -> [ShieldBan] {
        bans.values.filter { $0.until > now }.sorted { $0.until < $1.until }
    }

    /// Whether a source may be banned at all (never: trunks, allow-listed peers, the PBX, `never_ban`).
    public func isBannable(_ source: IPAddress) -> Bool { !rules.neverBan.containsAddress(source) }

    /// Bans a source for the length its offence count gives (escalating), unless it is never to be
    /// banned. Returns the ban, or `nil` when the source may not be banned.
    public func ban(_ source: IPAddress, rule: String, reason: String, now: Double, seconds: Double? = nil) -> ShieldBan? {
        guard isBannable(source) else { return nil }
        let offence = (offences[source] ?? 0) + 1
        let length = seconds ?? rules.config.bans.duration(forOffence: offence)
        let ban = ShieldBan(source: source, since: now, until: now + length, offences: offence, rule: rule, reason: reason)
        if bans[source] == nil, bans.count >= rules.config.maxTrackedSources {
            // Full (a flood from forged addresses): the bans closest to their end make room.
            bans = bans.filter { $0.value.until > now }
            if bans.count >= rules.config.maxTrackedSources {
                let cut = bans.values.map(\.until).sorted()[bans.count / 4]
                bans = bans.filter { $0.value.until > cut }
            }
            refusals.replace(bans: bans)
        }
        bans[source] = ban
        refusals.set(ban)
        unsaved.insert(source)
        if offences.count >= rules.config.maxTrackedSources, offences[source] == nil { offences.removeAll(keepingCapacity: true) }
        offences[source] = offence
        // A banned source starts from nothing when it comes back.
        sources[source] = nil
        return ban
    }

    /// Installs the bans the store holds (at start, or when another process changed them): the
    /// store is the record, except for bans set here that it has not confirmed yet, which stay.
    public func restoreBans(_ stored: [ShieldBan], now: Double) {
        var next: [IPAddress: ShieldBan] = [:]
        for ban in stored where ban.until > now {
            next[ban.source] = ban
            offences[ban.source] = max(offences[ban.source] ?? 0, ban.offences)
        }
        for source in unsaved {
            if let ban = bans[source], ban.until > now, next[source] == nil { next[source] = ban }
        }
        bans = next
        refusals.replace(bans: bans)
    }

    /// Applies the ban records another node or command saved or lifted since the last look: one in
    /// force replaces this source's ban; one that has ended lifts it here too and forgets the
    /// source's counters, as ``lift(_:now:)`` does, unless this engine holds a ban of its own the
    /// store has not been told of yet.
    public func applyBanChanges(_ changed: [ShieldBan], now: Double) {
        for ban in changed {
            offences[ban.source] = max(offences[ban.source] ?? 0, ban.offences)
            if ban.until > now {
                bans[ban.source] = ban
                refusals.set(ban)
            } else if !unsaved.contains(ban.source), let held = bans[ban.source], held.until > now {
                bans[ban.source] = nil
                refusals.remove(ban.source)
                sources[ban.source] = nil
            }
        }
    }

    /// Notes that the store has the ban of `source` (as set at `since`), so the store decides from now on.
    public func banSaved(_ source: IPAddress, since: Double) {
        if bans[source]?.since == since || bans[source] == nil { unsaved.remove(source) }
    }

    /// Remembers earlier offences (e.g. from the store at start), for escalation.
    public func restoreOffences(_ source: IPAddress, count: Int) {
        offences[source] = max(offences[source] ?? 0, count)
    }

    /// Lifts a ban and forgets the source's counters. Returns whether a ban was in force.
    @discardableResult
    public func lift(_ source: IPAddress, now: Double) -> Bool {
        sources[source] = nil
        unsaved.remove(source)
        guard let ban = bans.removeValue(forKey: source) else { return false }
        refusals.remove(source)
        return ban.until > now
    }

    // MARK: - Housekeeping

    /// Forgets quiet sources, expired bans and old account alarms. Call every few seconds.
    public func sweep(now: Double) {
        let expiry = Tick(rules.config.sourceExpiry)
        let current = tick(now)
        sources = sources.filter { current - $0.value.lastSeen < expiry }
        let held = bans.count
        bans = bans.filter { $0.value.until > now }
        if bans.count != held { refusals.replace(bans: bans) }
        unsaved = unsaved.filter { bans[$0] != nil }
        let accountWindow = rules.config.accountAttack.window
        accounts = accounts.filter { now - $0.value.lastSeen < max(accountWindow, $0.value.alarmedUntil - now) }
        // Once a day the epoch moves up to now, so ticks stay small and precise.
        if now - epoch > 86_400 {
            let delta = Tick(now - epoch)
            epoch += Double(delta)
            lastTick = max(0, lastTick - delta)
            for key in sources.keys { sources[key]?.shift(by: delta) }
            global.shift(by: delta)
            for key in accounts.keys { accounts[key]?.sources.shift(by: delta) }
        }
    }

    /// Makes room in a full source table: the quiet ones go first, then the oldest half.
    func evict(now: Double) {
        let before = sources.count
        let current = tick(now)
        sources = sources.filter { current - $0.value.lastSeen < Tick(rules.config.sourceExpiry) }
        guard sources.count >= before * 9 / 10 else { return }
        let times = sources.values.map(\.lastSeen).sorted()
        let cut = times[times.count / 2]
        sources = sources.filter { $0.value.lastSeen > cut }
    }
}
