import SIPCore

extension ShieldEngine {
    /// Learns from the PBX's answer to a request that came from `source` (external zone): counts
    /// failed or missing authentication (401/407 not marked stale, 403, and 404 to a REGISTER) per
    /// source and per account, bans a source past the threshold, raises an alarm for an account
    /// failing from many sources, and promotes a source whose registration (or any request with
    /// credentials) succeeded.
    public func observeResponse(_ response: SIPMessage, status: Int, to request: SIPMessage, source: SourceAddress,
                                now: Double) -> ShieldDecision {
        guard let method = request.method else { return .pass }
        if status == 401 || status == 407 { challenges.learn(response, status: status, method: method) }
        guard rules.config.enabled else { return .pass }
        let credentials = Self.credentials(of: request)
        let account = credentials?.username ?? (method == .register ? Self.toUser(request) : (try? request.from())?.uri.user)

        enum Kind { case none, success, challenge, failure }
        var kind = Kind.none
        switch status {
        case 200..<300:
            kind = method == .register || credentials != nil ? .success : .none
        case 401, 407:
            let challenge = response.firstValue(of: status == 407 ? .proxyAuthenticate : .wwwAuthenticate)
                .flatMap { try? SIPAuthorization(parsing: $0, header: status == 407 ? .proxyAuthenticate : .wwwAuthenticate) }
            if challenge?.stale == true { return .pass }
            kind = credentials == nil ? .challenge : .failure
        case 403:
            kind = .failure
        case 404 where method == .register:
            kind = .failure
        default:
            return .pass
        }
        guard kind != .none else { return .pass }

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
            case .challenge, .failure:
                let count = state.authFailures.add(now: tick(now), window: threshold.window)
                if kind == .failure, count >= 3 { state.registered = false }
                return count
            case .none:
                return nil
            }
        }
        guard let failures else { return ShieldDecision(verdict: .pass, findings: findings) }
        let who = account.map { "account \($0.prefix(40))" } ?? "no account"
        if kind == .failure {
            findings.append(ShieldFinding(kind: "auth-failure", rule: "auth-failure",
                                          detail: "\(method) for \(who) answered \(status) (\(failures) of \(threshold.count) within \(Self.seconds(threshold.window)))"))
            if let account, !account.isEmpty, let alarm = noteAccountFailure(account, source: source, now: now) {
                findings.append(alarm)
            }
        }
        guard failures >= threshold.count else { return ShieldDecision(verdict: .pass, findings: findings) }
        return banDecision(source, kind: "auth-failure", rule: "auth-failures",
                           detail: "\(failures) failed or missing authentications within \(Self.seconds(threshold.window)) (last: \(method) for \(who), \(status))",
                           now: now, findings: findings)
    }

    /// Counts distinct failing sources per account; past the threshold, one alarm per window.
    private func noteAccountFailure(_ account: String, source: SourceAddress, now: Double) -> ShieldFinding? {
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
    /// same: a 403/404/484/604 to a REGISTER, or to any request without credentials, becomes a
    /// challenge shaped like the PBX's own. `nil` when the PBX's answer can go out as it is.
    public func concealedAnswer(_ response: SIPMessage, status: Int, to request: SIPMessage, source: SourceAddress,
                                now: Double) -> SIPMessage? {
        guard rules.config.enabled, rules.config.concealUsers, let method = request.method, method != .ack, method != .cancel,
              [403, 404, 484, 604].contains(status)
        else { return nil }
        guard method == .register || Self.credentials(of: request) == nil else { return nil }
        if let state = sources[source], state.staticallyTrusted { return nil }
        if sources[source] == nil, classify(source).trusted { return nil }
        let realm = rules.config.authRealm ?? Self.requestHost(request) ?? "tollgate"
        return challenges.fakeChallenge(to: request, toTag: (try? response.to())?.tag, realm: realm)
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
