import SIPCore
import TollgateModel

extension ShieldEngine {
    /// Learns from the PBX's answer to a request that came from `source` (external zone): counts
    /// failed or missing authentication (401/407 not marked stale, 403, and 404 to a REGISTER) per
    /// source and per account, bans a source past the threshold, raises an alarm for an account
    /// failing from many sources, and promotes a source whose registration (or any request with
    /// credentials) succeeded.
    public func observeResponse(_ response: SIPMessage, status: Int, to request: SIPMessage, source: IPAddress,
                                now: Double) -> ShieldDecision {
        guard let method = request.method else { return .pass }
        if status == 401 || status == 407 { challenges.learn(response, status: status, method: method) }
        guard rules.config.enabled else { return .pass }
        // Trunks and allow-listed peers are not watched; cheap to tell before parsing anything.
        if let state = sources[source], state.staticallyTrusted { return .pass }

        // What counts is what the PBX verified: a REGISTER with credentials it accepted (success),
        // credentials it refused, a 403, or a REGISTER for a user it does not know. A plain
        // challenge to a request without credentials is how every login starts: not a failure.
        enum Kind { case success, failure }
        let kind: Kind
        switch status {
        case 200..<300 where method == .register && Self.hasCredentials(request):
            kind = .success
        case 401 where Self.hasCredentials(request), 407 where Self.hasCredentials(request):
            let header: SIPHeaderName = status == 407 ? .proxyAuthenticate : .wwwAuthenticate
            let challenge = response.firstValue(of: header).flatMap { try? SIPAuthorization(parsing: $0, header: header) }
            if challenge?.stale == true { return .pass }
            kind = .failure
        case 403:
            kind = .failure
        case 404 where method == .register:
            kind = .failure
        default:
            return .pass
        }
        let credentials = Self.credentials(of: request)
        let account = credentials?.username ?? (method == .register ? Self.toUser(request) : (try? request.from())?.uri.user)

        var findings: [ShieldFinding] = []
        let threshold = rules.config.authFailures
        let failures: Int? = withState(source, now: now) { state in
            guard !state.staticallyTrusted else { return nil }
            switch kind {
            case .success:
                state.authFailures.reset()
                if !state.registered {
                    state.registered = true
                    let what = method == .register ? "registration" : "authenticated \(method)"
                    findings.append(ShieldFinding(kind: "trust", rule: "registered",
                                                  detail: "promoted to trusted (profile 'registered') after a successful \(what) of \(account ?? "?")",
                                                  severity: .info))
                }
                return nil
            case .failure:
                let count = state.authFailures.add(now: tick(now), window: threshold.window)
                if count >= 3 { state.registered = false }
                return count
            }
        }
        guard let failures else { return ShieldDecision(verdict: .pass, findings: findings) }
        let who = account.map { "account \($0.prefix(40))" } ?? "no account"
        findings.append(ShieldFinding(kind: "auth-failure", rule: "auth-failure",
                                      detail: "\(method) for \(who) answered \(status) (\(failures) of \(threshold.count) within \(Self.seconds(threshold.window)))"))
        if let account, !account.isEmpty, let alarm = noteAccountFailure(account, source: source, now: now) {
            findings.append(alarm)
        }
        guard failures >= threshold.count else { return ShieldDecision(verdict: .pass, findings: findings) }
        return banDecision(source, kind: "auth-failure", rule: "auth-failures",
                           detail: "\(failures) failed authentications within \(Self.seconds(threshold.window)) (last: \(method) for \(who), \(status))",
                           now: now, findings: findings)
    }

    /// Counts distinct failing sources per account; past the threshold, one alarm per window.
    private func noteAccountFailure(_ account: String, source: IPAddress, now: Double) -> ShieldFinding? {
        let threshold = rules.config.accountAttack
        let key = stableHash(account)
        if accounts[key] == nil, accounts.count >= rules.config.maxTrackedSources { accounts.removeAll(keepingCapacity: true) }
        var state = accounts[key] ?? AccountState(lastSeen: now)
        state.lastSeen = now
        let distinct = state.sources.add(source.high ^ source.low &* 0x9E37_79B9_7F4A_7C15, now: tick(now), window: threshold.window,
                                         limit: threshold.count)
        var finding: ShieldFinding?
        if distinct >= threshold.count, now >= state.alarmedUntil {
            state.alarmedUntil = now + threshold.window
            finding = ShieldFinding(kind: "account-attack", rule: "account-under-attack",
                                    detail: "account \(account.prefix(40)) failed authentication from \(distinct) sources within \(Self.seconds(threshold.window))",
                                    severity: .critical)
        }
        accounts[key] = state
        return finding
    }

    /// The answer to send outside instead of the PBX's, so that unknown and known users look the
    /// same to untrusted sources: a 403/404/484/604 to a REGISTER, or to any request from a source
    /// that has not registered, becomes a challenge shaped like the PBX's own; a real challenge
    /// loses its `stale` flag (a made-up nonce for a known user would otherwise be told from an
    /// unknown user). `nil` when the PBX's answer can go out as it is.
    public func concealedAnswer(_ response: SIPMessage, status: Int, to request: SIPMessage, source: IPAddress,
                                now: Double) -> SIPMessage? {
        guard rules.config.enabled, rules.config.concealUsers, let method = request.method, method != .ack, method != .cancel,
              [401, 403, 404, 407, 484, 604].contains(status)
        else { return nil }
        // Trusted sources (trunks, allow-listed peers, registered phones) see the PBX's real answers.
        if let state = sources[source] {
            if state.trust == .trusted { return nil }
        } else if classify(source).trusted {
            return nil
        }
        if status == 401 || status == 407 { return Self.withoutStale(response, status: status) }
        let realm = rules.config.authRealm ?? Self.requestHost(request) ?? "tollgate"
        return challenges.fakeChallenge(to: request, toTag: (try? response.to())?.tag, realm: realm, now: now)
    }

    /// A challenge with `stale=true` removed, or `nil` when it has none.
    static func withoutStale(_ response: SIPMessage, status: Int) -> SIPMessage? {
        let header: SIPHeaderName = status == 407 ? .proxyAuthenticate : .wwwAuthenticate
        let values = response.values(of: header)
        guard values.contains(where: { $0.lowercased().contains("stale") }) else { return nil }
        var answer = response
        answer.rewriteHeaderValues { name, value in
            guard name == header, var challenge = try? SIPAuthorization(parsing: value, header: header) else { return nil }
            challenge.parameters.removeAll { $0.name.lowercased() == "stale" }
            return challenge.description
        }
        return answer
    }

    static func hasCredentials(_ request: SIPMessage) -> Bool {
        request.contains(.authorization) || request.contains(.proxyAuthorization)
    }

    static func credentials(of request: SIPMessage) -> SIPAuthorization? {
        let value = request.firstValue(of: .authorization) ?? request.firstValue(of: .proxyAuthorization)
        return value.flatMap { try? SIPAuthorization(parsing: $0) }
    }

    static func requestHost(_ request: SIPMessage) -> String? {
        guard let text = request.requestURIText else { return nil }
        return (try? SIPURI(parsing: text))?.host
    }
}
