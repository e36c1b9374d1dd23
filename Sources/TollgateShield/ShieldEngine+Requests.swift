import SIPCore
import TollgateModel

extension ShieldEngine {
    /// What a request check concluded inside a source's state, acted on after it.
    private enum Outcome {
        case pass
        case drop(ShieldFinding?)
        case ban(kind: String, rule: String, detail: String)
    }

    /// The address Shield judges a message by: the transport source or, when that is a configured
    /// trusted proxy, the client address the proxy recorded in its Via (`received`, else the
    /// sent-by host), one hop per trusted proxy. Never another header.
    public func effectiveSource(_ transport: IPAddress, message: SIPMessage) -> IPAddress {
        guard !rules.trustedProxies.isEmpty, rules.trustedProxies.containsAddress(transport),
              let vias = try? message.vias()
        else { return transport }
        var current = transport
        var hop = 1
        while hop < vias.count, rules.trustedProxies.containsAddress(current) {
            let via = vias[hop]
            guard let next = via.received.flatMap({ IPAddress($0) }) ?? IPAddress(via.host) else { break }
            current = next
            hop += 1
        }
        return current
    }

    /// Judges a request from the external zone: scanner fingerprints, the global and per-source
    /// rate limits of the source's profile, and behaviour (extension enumeration, INVITE and
    /// OPTIONS sweeps) of untrusted sources.
    public func checkRequest(_ request: SIPMessage, source: IPAddress, now: Double) -> ShieldDecision {
        guard rules.config.enabled, let method = request.method else { return .pass }
        var findings: [ShieldFinding] = []
        let ticks = tick(now)
        let outcome: Outcome = withState(source, now: now) { state in
            let profileIndex = self.profileIndex(state)
            let profile = rules.profiles[profileIndex]
            let limits = self.limits[profileIndex]
            let trusted = state.trust == .trusted

            if !state.staticallyTrusted, let match = rules.fingerprints.match(request) {
                if match.action == .block, rules.config.blockScanners {
                    return .ban(kind: "scanner", rule: "scanner-fingerprint", detail: "\(match.tool) (\(match.evidence))")
                }
                if !state.signalled {
                    state.signalled = true
                    findings.append(ShieldFinding(kind: "scanner", rule: "scanner-signal", detail: "looks like \(match.tool) (\(match.evidence))"))
                }
            }

            // The source's own limits first: what it is about to lose should not use up everyone's budget.
            if let limit = exceededLimit(method, state: &state, limits: limits, now: ticks) {
                let drops = state.limitDrops.add(now: ticks, window: profile.dropWindow)
                if drops >= 3 { state.registered = false }
                let name = rules.profileName(profileIndex)
                if profile.banAfterDrops > 0, drops >= profile.banAfterDrops, !state.staticallyTrusted {
                    return .ban(kind: "rate-limit", rule: "flood",
                                detail: "\(drops) requests over the '\(name)' limits within \(Self.seconds(profile.dropWindow)) (\(limit))")
                }
                guard drops == 1 else { return .drop(nil) }
                return .drop(ShieldFinding(kind: "rate-limit", rule: "rate-limit",
                                           detail: "\(method) over \(limit) of profile '\(name)'; dropping until it slows down"))
            }

            if !trusted, rules.config.globalRequestsPerSecond > 0 {
                let rate = rules.config.globalRequestsPerSecond
                if !global.take(rate: rate, capacity: rate, now: ticks) {
                    return .drop(nil)
                }
            }

            guard !trusted else { return .pass }
            let config = rules.config
            switch method {
            case .register, .options, .subscribe, .message:
                let user = method == .register ? Self.toUser(request) : (Self.requestUser(request) ?? Self.toUser(request))
                if let user, !user.isEmpty {
                    let distinct = state.users.add(stableHash(user), now: ticks, window: config.enumeration.window, limit: config.enumeration.count)
                    if distinct >= config.enumeration.count {
                        return .ban(kind: "enumeration", rule: "extension-enumeration",
                                    detail: "\(distinct) different users tried within \(Self.seconds(config.enumeration.window)) with \(method) (last: \(user.prefix(40)))")
                    }
                }
                if method == .options {
                    let count = state.optionsUnregistered.add(now: ticks, window: config.optionsSweep.window)
                    if count >= config.optionsSweep.count {
                        return .ban(kind: "options-sweep", rule: "options-sweep",
                                    detail: "\(count) OPTIONS within \(Self.seconds(config.optionsSweep.window)) from a source that never registered")
                    }
                }
            case .invite:
                if let target = Self.requestUser(request) ?? Self.toUser(request), !target.isEmpty {
                    let distinct = state.inviteTargets.add(stableHash(target), now: ticks, window: config.inviteSweep.window, limit: config.inviteSweep.count)
                    if distinct >= config.inviteSweep.count {
                        return .ban(kind: "invite-sweep", rule: "invite-sweep",
                                    detail: "INVITEs to \(distinct) different destinations within \(Self.seconds(config.inviteSweep.window)) without registering (last: \(target.prefix(40)))")
                    }
                }
            default:
                break
            }
            return .pass
        }
        switch outcome {
        case .pass:
            return ShieldDecision(verdict: .pass, findings: findings)
        case .drop(let finding):
            if let finding { findings.append(finding) }
            return ShieldDecision(verdict: .drop, findings: findings)
        case .ban(let kind, let rule, let detail):
            return banDecision(source, kind: kind, rule: rule, detail: detail, now: now, findings: findings)
        }
    }

    /// Counts a message from `source` that failed parsing or validation; a flood of them bans.
    public func noteMalformed(source: IPAddress, now: Double) -> ShieldDecision {
        guard rules.config.enabled else { return .pass }
        let threshold = rules.config.malformed
        let count: Int? = withState(source, now: now) { state in
            guard !state.staticallyTrusted else { return nil }
            state.registered = false
            return state.malformed.add(now: tick(now), window: threshold.window)
        }
        guard let count, count >= threshold.count else { return .pass }
        return banDecision(source, kind: "malformed", rule: "malformed-flood",
                           detail: "\(count) malformed or invalid messages within \(Self.seconds(threshold.window))", now: now, findings: [])
    }

    /// Counts `packets` media packets from `source` that failed SRTP authentication or came from an
    /// address that is not the call's peer; a flood of them bans (a trunk or an allowed source is
    /// never banned, only reported).
    public func noteMediaAbuse(source: IPAddress, packets: Int, now: Double) -> ShieldDecision {
        guard rules.config.enabled, packets > 0 else { return .pass }
        let threshold = rules.config.mediaAbuse
        let count = withState(source, now: now) { state in
            state.mediaAbuse.add(Int32(clamping: packets), now: tick(now), window: threshold.window)
        }
        guard count >= threshold.count else { return .pass }
        return banDecision(source, kind: "media-abuse", rule: "media-abuse",
                           detail: "\(count) forged or foreign media packets within \(Self.seconds(threshold.window))", now: now, findings: [])
    }

    /// Bans (when allowed) and describes it; a source that may not be banned is only dropped.
    func banDecision(_ source: IPAddress, kind: String, rule: String, detail: String, now: Double,
                     findings: [ShieldFinding]) -> ShieldDecision {
        var findings = findings
        guard let ban = ban(source, rule: rule, reason: detail, now: now) else {
            findings.append(ShieldFinding(kind: kind, rule: rule, detail: detail + "; not banned (never-ban list, trunk or allow-list)", severity: .warning))
            return ShieldDecision(verdict: .drop, findings: findings)
        }
        let length = Self.seconds(ban.until - ban.since)
        let repeatNote = ban.offences > 1 ? ", offence \(ban.offences)" : ""
        findings.append(ShieldFinding(kind: kind, rule: rule, detail: detail, severity: .warning))
        findings.append(ShieldFinding(kind: "ban", rule: rule, detail: "banned for \(length)\(repeatNote): \(detail)", severity: .warning))
        return ShieldDecision(verdict: .drop, findings: findings, ban: ban)
    }

    /// The first per-source limit a request exceeds, described, or `nil`.
    private func exceededLimit(_ method: SIPMethod, state: inout SourceState, limits: RateLimits, now: Tick) -> String? {
        if !state.requests.take(rate: limits.rate, capacity: limits.burst, now: now) {
            return "\(Self.number(limits.rate)) requests/s"
        }
        switch method {
        case .invite:
            if !state.invites.take(rate: limits.invites, capacity: limits.invitesBurst, now: now) { return "\(Self.number(limits.invites * 60)) INVITEs/min" }
        case .register:
            if !state.registers.take(rate: limits.registers, capacity: limits.registersBurst, now: now) { return "\(Self.number(limits.registers * 60)) REGISTERs/min" }
        case .options:
            if !state.options.take(rate: limits.options, capacity: limits.optionsBurst, now: now) { return "\(Self.number(limits.options * 60)) OPTIONS/min" }
        case .ack, .cancel, .bye:
            // In-dialog and transaction housekeeping: limited by the overall rate only.
            break
        default:
            if !state.others.take(rate: limits.others, capacity: limits.othersBurst, now: now) { return "\(Self.number(limits.others * 60)) other requests/min" }
        }
        return nil
    }

    static func toUser(_ message: SIPMessage) -> String? { (try? message.to())?.uri.user }

    static func requestUser(_ message: SIPMessage) -> String? {
        guard let text = message.requestURIText else { return nil }
        return (try? SIPURI(parsing: text))?.user
    }

    static func seconds(_ value: Double) -> String {
        if value >= 3600, value.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(value / 3600)) h" }
        if value >= 60, value.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(value / 60)) min" }
        return "\(number(value)) s"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
