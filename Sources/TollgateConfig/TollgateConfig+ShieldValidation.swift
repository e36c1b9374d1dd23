extension TollgateConfig {
    /// The rules of the `shield:` section: positive windows and counts, known profiles, sane bans.
    func validateShield(_ report: inout ValidationReport, trunkNames: Set<String>) {
        let shield = self.shield
        if !(shield.globalRequestsPerSecond >= 0) || !shield.globalRequestsPerSecond.isFinite {
            report.add("shield.global_requests_per_second", "must be 0 (no limit) or more, found \(shield.globalRequestsPerSecond)")
        }
        if shield.maxTrackedSources < 1000 || shield.maxTrackedSources > 10_000_000 {
            report.add("shield.max_tracked_sources", "must be 1000-10000000, found \(shield.maxTrackedSources)")
        }
        if !(shield.sourceExpiry > 0) || !shield.sourceExpiry.isFinite {
            report.add("shield.source_expiry", "must be greater than 0 seconds, found \(shield.sourceExpiry)")
        }
        for (name, profile) in shield.profiles.sorted(by: { $0.key < $1.key }) {
            let path = "shield.profiles.\(name)"
            if !ConfigSyntax.isToken(name) { report.add(path, Self.tokenProblem(name)) }
            let rates: [(String, Double)] = [
                ("requests_per_second", profile.requestsPerSecond), ("burst", profile.burst),
                ("invites_per_minute", profile.invitesPerMinute), ("registers_per_minute", profile.registersPerMinute),
                ("options_per_minute", profile.optionsPerMinute), ("other_per_minute", profile.otherPerMinute),
            ]
            for (key, value) in rates where !(value >= 0) || !value.isFinite {
                report.add(path + "." + key, "must be 0 (no limit) or more, found \(value)")
            }
            if profile.requestsPerSecond > 0, profile.burst < 1 {
                report.add(path + ".burst", "must be at least 1 when requests_per_second is set, found \(profile.burst)")
            }
            if profile.banAfterDrops < 0 {
                report.add(path + ".ban_after_drops", "must be 0 (never) or more, found \(profile.banAfterDrops)")
            }
            if !(profile.dropWindow > 0) || !profile.dropWindow.isFinite {
                report.add(path + ".drop_window", "must be greater than 0 seconds, found \(profile.dropWindow)")
            }
        }
        for (index, peer) in shield.peers.enumerated() {
            let path = "shield.peers[\(index)]"
            if shield.profiles[peer.profile] == nil {
                let known = shield.profiles.keys.sorted().map { ConfigSyntax.quoted($0) }.joined(separator: ", ")
                report.add(path + ".profile", "no profile named \(ConfigSyntax.quoted(peer.profile)) (known: \(known))")
            }
            if let trunk = peer.trunk, !trunkNames.contains(trunk) {
                report.add(path + ".trunk", "no trunk named \(ConfigSyntax.quoted(trunk))")
            }
            if peer.sources.isEmpty, peer.trunk == nil {
                report.add(path, "give the peers either as 'sources' (address ranges) or as a 'trunk'")
            }
        }
        let thresholds: [(String, ShieldConfig.Threshold)] = [
            ("enumeration", shield.enumeration), ("invite_sweep", shield.inviteSweep), ("options_sweep", shield.optionsSweep),
            ("auth_failures", shield.authFailures), ("account_attack", shield.accountAttack), ("malformed", shield.malformed),
        ]
        for (key, threshold) in thresholds {
            let path = "shield.detection.\(key)"
            if threshold.count < 1 || threshold.count > 100_000 {
                report.add(path + ".count", "must be 1-100000, found \(threshold.count)")
            }
            if !(threshold.window > 0) || !threshold.window.isFinite || threshold.window > 86_400 {
                report.add(path + ".window", "must be greater than 0 and at most 86400 seconds, found \(threshold.window)")
            }
        }
        let bans = shield.bans
        if !(bans.duration > 0) || !bans.duration.isFinite {
            report.add("shield.bans.duration", "must be greater than 0 seconds, found \(bans.duration)")
        }
        if !(bans.maxDuration >= bans.duration) || !bans.maxDuration.isFinite {
            report.add("shield.bans.max_duration", "must be at least the duration (\(bans.duration)), found \(bans.maxDuration)")
        }
        if !(bans.escalation >= 1) || !bans.escalation.isFinite {
            report.add("shield.bans.escalation", "must be 1 (no escalation) or more, found \(bans.escalation)")
        }
        if let realm = shield.authRealm, realm.isEmpty || realm.contains("\"") {
            report.add("shield.auth_realm", "must be non-empty text without double quotes")
        }
    }

    /// The rules of the `alerts:` section.
    func validateAlerts(_ report: inout ValidationReport) {
        let severities = AlertsConfig.severities.joined(separator: ", ")
        if let webhook = alerts.webhook {
            let lowered = webhook.url.lowercased()
            if !(lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) || webhook.url.count < 10 {
                report.add("alerts.webhook.url", "must be an http:// or https:// URL, found \(ConfigSyntax.quoted(webhook.url))")
            }
            if !AlertsConfig.severities.contains(webhook.minSeverity) {
                report.add("alerts.webhook.min_severity", "must be one of \(severities), found \(ConfigSyntax.quoted(webhook.minSeverity))")
            }
            if webhook.attempts < 1 || webhook.attempts > 100 {
                report.add("alerts.webhook.attempts", "must be 1-100, found \(webhook.attempts)")
            }
            if !(webhook.timeout > 0) || webhook.timeout > 300 {
                report.add("alerts.webhook.timeout", "must be greater than 0 and at most 300 seconds, found \(webhook.timeout)")
            }
            for name in webhook.headers.keys where !ConfigSyntax.isToken(name) {
                report.add("alerts.webhook.headers", "\(ConfigSyntax.quoted(name)) is not a valid header name")
            }
        }
        if let syslog = alerts.syslog {
            if syslog.host.isEmpty { report.add("alerts.syslog.address", "a host is required") }
            if !(1...65535).contains(syslog.port) { report.add("alerts.syslog.port", "must be 1-65535, found \(syslog.port)") }
            if !AlertsConfig.facilities.contains(syslog.facility) {
                report.add("alerts.syslog.facility", "must be one of \(AlertsConfig.facilities.joined(separator: ", ")), found \(ConfigSyntax.quoted(syslog.facility))")
            }
            if !AlertsConfig.severities.contains(syslog.minSeverity) {
                report.add("alerts.syslog.min_severity", "must be one of \(severities), found \(ConfigSyntax.quoted(syslog.minSeverity))")
            }
        }
    }
}
