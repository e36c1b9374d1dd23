import TollgateModel

/// The cross-field rules behind ``TollgateConfig/validate()``.
///
/// Paths use the YAML spelling (`trunks[1].allowed_sources`); an endpoint's problems are reported
/// at `….endpoint` (which ``TollgateConfig/init(yaml:source:)`` maps to the key the file used).
extension TollgateConfig {
    /// Every broken rule, in the order the sections appear in a typical file.
    func validationErrors() -> [ConfigError] {
        var report = ValidationReport()
        validateListeners(&report)
        validatePBX(&report)
        let trunkNames = validateTrunks(&report)
        validateRoutes(&report, trunkNames: trunkNames)
        validateFallback(&report, trunkNames: trunkNames)
        validateTopologyHiding(&report)
        validateLimits(&report)
        validatePerformance(&report)
        validateCluster(&report)
        validateConsole(&report)
        validateLogging(&report)
        validateStore(&report)
        validateShield(&report, trunkNames: trunkNames)
        validateAlerts(&report)
        validateFraud(&report)
        validateIdentity(&report)
        return report.errors
    }

    // MARK: - Listeners

    private func validateListeners(_ report: inout ValidationReport) {
        guard !listeners.isEmpty else {
            report.add(
                "listeners",
                "no listeners: at least one listener is required, e.g. listeners: [{ listen: udp:192.0.2.1:5060 }]"
            )
            return
        }
        var names: [String: Int] = [:]
        var bound: [(index: Int, address: IPAddress, listener: ListenerConfig)] = []
        for (index, listener) in listeners.enumerated() {
            let path = "listeners[\(index)]"
            let endpoint = listener.endpoint
            var usable = true
            if endpoint.host.isEmpty {
                report.add(path + ".endpoint", "an address is required")
                usable = false
            } else if IPAddress(parsing: endpoint.host) == nil {
                let what = ConfigSyntax.isHostName(endpoint.host) ? "a host name" : "not an address"
                report.add(
                    path + ".endpoint",
                    "\(ConfigSyntax.quoted(endpoint.host)) is \(what); a listener binds an IP address (0.0.0.0 or :: for all)"
                )
                usable = false
            }
            if !endpoint.hasValidPort {
                report.add(path + ".endpoint", "port \(endpoint.port) must be 1-65535")
                usable = false
            }

            if let name = listener.name {
                if !ConfigSyntax.isToken(name) {
                    report.add(path + ".name", Self.tokenProblem(name))
                } else if let other = names[name] {
                    report.add(
                        path + ".name",
                        "duplicate listener name \(ConfigSyntax.quoted(name)) (also listeners[\(other)])")
                } else {
                    names[name] = index
                }
            }

            if endpoint.transport == .tls {
                if (listener.tlsCertificate ?? "").isEmpty {
                    report.add(path + ".tls_certificate", "a tls listener needs a certificate file (tls_certificate)")
                }
                if (listener.tlsKey ?? "").isEmpty {
                    report.add(path + ".tls_key", "a tls listener needs a private key file (tls_key)")
                }
            } else {
                if listener.tlsCertificate != nil {
                    report.add(
                        path + ".tls_certificate",
                        "only tls listeners use a certificate; this one is \(endpoint.transport.rawValue)")
                }
                if listener.tlsKey != nil {
                    report.add(
                        path + ".tls_key", "only tls listeners use a key; this one is \(endpoint.transport.rawValue)")
                }
                if listener.tlsClientCA != nil || listener.tlsCiphers != nil {
                    report.add(
                        path + (listener.tlsClientCA != nil ? ".tls_client_ca" : ".tls_ciphers"),
                        "only tls listeners use TLS settings; this one is \(endpoint.transport.rawValue)")
                }
            }

            if let advertised = listener.advertisedAddress, ConfigSyntax.ipLiteral(advertised) == nil,
                !ConfigSyntax.isHostName(advertised)
            {
                report.add(
                    path + ".advertised_address", "\(ConfigSyntax.quoted(advertised)) is not an IP address or host name"
                )
            }

            guard usable, let address = IPAddress(parsing: endpoint.host) else { continue }
            for earlier in bound where earlier.listener.endpoint.port == endpoint.port {
                guard Self.overlaps(earlier.address, address) else { continue }
                let other = "listeners[\(earlier.index)] (\(earlier.listener.endpoint))"
                if earlier.listener.endpoint.transport == endpoint.transport {
                    let how = earlier.address == address ? "the same" : "an overlapping"
                    report.add(path, "\(how) transport, address and port as \(other)")
                    break
                }
                if earlier.listener.zone != listener.zone {
                    report.add(
                        path,
                        "port \(endpoint.port) on this address is in zone \(earlier.listener.zone.rawValue) for \(other) and in zone \(listener.zone.rawValue) here; one address and port can face only one zone"
                    )
                    break
                }
            }
            bound.append((index, address, listener))
        }
    }

    /// Whether two bound addresses would receive the same packets: equal, or one is a wildcard of
    /// the same family (`::` counts for IPv4 too, as Linux sockets are dual-stack by default).
    static func overlaps(_ lhs: IPAddress, _ rhs: IPAddress) -> Bool {
        if lhs == rhs { return true }
        if !lhs.isIPv4, lhs.isUnspecified { return true }
        if !rhs.isIPv4, rhs.isUnspecified { return true }
        return (lhs.isUnspecified || rhs.isUnspecified) && lhs.bitWidth == rhs.bitWidth
    }

    // MARK: - PBX and trunks

    private func validatePBX(_ report: inout ValidationReport) {
        if pbx.endpoint.host.isEmpty {
            report.add("pbx", "a PBX is required: set 'pbx: udp:ADDRESS:PORT' or pass --pbx")
        } else {
            Self.validateRemote(pbx.endpoint, path: "pbx.endpoint", &report)
        }
        if !ConfigSyntax.isToken(pbx.name) {
            report.add("pbx.name", Self.tokenProblem(pbx.name))
        }
    }

    /// Checks the trunks; returns the valid, unique trunk names.
    private func validateTrunks(_ report: inout ValidationReport) -> Set<String> {
        var names: [String: Int] = [:]
        for (index, trunk) in trunks.enumerated() {
            let path = "trunks[\(index)]"
            if trunk.name.isEmpty {
                report.add(path + ".name", "a trunk needs a name")
            } else if !ConfigSyntax.isToken(trunk.name) {
                report.add(path + ".name", Self.tokenProblem(trunk.name))
            } else if let other = names[trunk.name] {
                report.add(
                    path + ".name", "duplicate trunk name \(ConfigSyntax.quoted(trunk.name)) (also trunks[\(other)])")
            } else {
                names[trunk.name] = index
            }

            Self.validateRemote(trunk.endpoint, path: path + ".endpoint", &report)

            if trunk.allowedSources.isEmpty {
                if trunk.endpoint.hostIsIPAddress || trunk.endpoint.host.isEmpty {
                    report.add(
                        path + ".allowed_sources",
                        "must list at least one address range, or every inbound call from the trunk is refused"
                    )
                } else {
                    report.add(
                        path + ".allowed_sources",
                        "required because the endpoint host \(ConfigSyntax.quoted(trunk.endpoint.host)) is a name; list the carrier's addresses, e.g. [192.0.2.0/24]"
                    )
                }
            }
            if trunk.priority < 0 {
                report.add(path + ".priority", "must be 0 or more, found \(trunk.priority)")
            }
            if trunk.weight < 0 {
                report.add(path + ".weight", "must be 0 or more, found \(trunk.weight)")
            }

            let probe = trunk.probe
            if !(probe.interval > 0) || !probe.interval.isFinite {
                report.add(path + ".probe.interval", "must be greater than 0 seconds, found \(probe.interval)")
            }
            if !(probe.timeout > 0) || !probe.timeout.isFinite {
                report.add(path + ".probe.timeout", "must be greater than 0 seconds, found \(probe.timeout)")
            } else if probe.interval > 0, probe.timeout > probe.interval {
                report.add(path + ".probe.timeout", "must not exceed the interval (\(probe.interval) seconds)")
            }
            if probe.failures < 1 {
                report.add(path + ".probe.failures", "must be at least 1, found \(probe.failures)")
            }

            if trunk.tlsCertificate != nil || trunk.tlsKey != nil || trunk.tlsCA != nil {
                if trunk.endpoint.transport != .tls {
                    report.add(path + ".tls_certificate", "tls_certificate, tls_key and tls_ca apply to a tls trunk only; this one is \(trunk.endpoint.transport.rawValue)")
                } else if (trunk.tlsCertificate == nil) != (trunk.tlsKey == nil) {
                    report.add(path + (trunk.tlsCertificate == nil ? ".tls_certificate" : ".tls_key"),
                               "a client certificate needs both tls_certificate and tls_key")
                }
            }
            if let credentials = trunk.credentials {
                if credentials.username.isEmpty {
                    report.add(path + ".credentials.username", "must not be empty")
                }
                if credentials.password.isEmpty {
                    report.add(path + ".credentials.password", "must not be empty")
                }
                if let realm = credentials.realm, realm.isEmpty {
                    report.add(path + ".credentials.realm", "must not be empty; leave it out to answer any realm")
                }
                let range = TrunkCredentials.registerExpiresRange
                if !range.contains(credentials.registerExpires) {
                    report.add(path + ".credentials.register_expires",
                               "must be between \(range.lowerBound) and \(range.upperBound) seconds, found \(credentials.registerExpires)")
                }
            }
        }
        return Set(names.keys)
    }

    /// Checks an endpoint the gateway sends to: a valid host (IP or name) and port.
    private static func validateRemote(_ endpoint: Endpoint, path: String, _ report: inout ValidationReport) {
        if let problem = endpoint.hostProblem {
            report.add(path, problem)
        }
        if !endpoint.hasValidPort {
            report.add(path, "port \(endpoint.port) must be 1-65535")
        }
    }

    // MARK: - Routing

    private func validateRoutes(_ report: inout ValidationReport, trunkNames: Set<String>) {
        var prefixes: [String: Int] = [:]
        var names: [String: Int] = [:]
        for (index, rule) in routes.enumerated() {
            let path = "routes[\(index)]"
            if let name = rule.name {
                if name.isEmpty {
                    report.add(path + ".name", "must not be empty; leave it out instead")
                } else if let other = names[name] {
                    report.add(
                        path + ".name", "duplicate route name \(ConfigSyntax.quoted(name)) (also routes[\(other)])")
                } else {
                    names[name] = index
                }
            }
            if !ConfigSyntax.isDialPrefix(rule.prefix) {
                report.add(
                    path + ".prefix",
                    "\(ConfigSyntax.quoted(rule.prefix)) must be digits, optionally starting with '+' (\"\" matches every number)"
                )
            } else if let other = prefixes[rule.prefix] {
                let what =
                    rule.prefix.isEmpty
                    ? "a second default route (prefix \"\")" : "duplicate prefix \(ConfigSyntax.quoted(rule.prefix))"
                report.add(path + ".prefix", "\(what); routes[\(other)] already has it")
            } else {
                prefixes[rule.prefix] = index
            }
            validateTrunkReferences(rule.trunks, path: path + ".trunks", trunkNames: trunkNames, &report)
            if rule.stripDigits < 0 {
                report.add(path + ".strip_digits", "must be 0 or more, found \(rule.stripDigits)")
            }
            if !rule.prependDigits.isEmpty, !ConfigSyntax.isDialPrefix(rule.prependDigits) {
                report.add(
                    path + ".prepend_digits",
                    "\(ConfigSyntax.quoted(rule.prependDigits)) must be digits, optionally starting with '+'"
                )
            }
        }
    }

    private func validateFallback(_ report: inout ValidationReport, trunkNames: Set<String>) {
        guard let fallback else { return }
        if !ConfigSyntax.isDialNumber(ConfigSyntax.normalizeNumber(fallback.target)) {
            report.add(
                "fallback.target",
                "\(ConfigSyntax.quoted(fallback.target)) must be a phone number: digits, optionally starting with '+'"
            )
        }
        validateTrunkReferences(fallback.trunks, path: "fallback.trunks", trunkNames: trunkNames, &report)
    }

    private func validateTrunkReferences(
        _ references: [String],
        path: String,
        trunkNames: Set<String>,
        _ report: inout ValidationReport
    ) {
        if references.isEmpty {
            report.add(path, "must name at least one trunk")
        }
        var seen: Set<String> = []
        for (index, name) in references.enumerated() {
            let itemPath = "\(path)[\(index)]"
            if !seen.insert(name).inserted {
                report.add(itemPath, "trunk \(ConfigSyntax.quoted(name)) is listed twice")
            } else if !trunkNames.contains(name), !trunks.contains(where: { $0.name == name }) {
                let known = trunks.map(\.name).filter { !$0.isEmpty }
                let hint = Suggestion.hint(for: name, in: known)
                let tail = known.isEmpty ? "; no trunks are configured" : ""
                report.add(itemPath, "unknown trunk \(ConfigSyntax.quoted(name))\(hint)\(tail)")
            }
        }
    }

    // MARK: - The rest

    private func validateTopologyHiding(_ report: inout ValidationReport) {
        for (index, pattern) in topologyHiding.stripHeaders.enumerated() {
            let path = "topology_hiding.strip_headers[\(index)]"
            let stem = pattern.hasSuffix("*") ? String(pattern.dropLast()) : pattern
            if pattern == "*" {
                report.add(path, "'*' alone would strip every header, including the ones SIP needs")
            } else if stem.isEmpty || stem.contains("*") || !ConfigSyntax.isToken(stem) {
                report.add(
                    path,
                    "\(ConfigSyntax.quoted(pattern)) is not a header name, optionally ending in '*' (e.g. X-Asterisk-*)"
                )
            }
        }
    }

    private func validateLimits(_ report: inout ValidationReport) {
        let range = LimitsConfig.messageSizeRange
        if !range.contains(limits.maxMessageSize) {
            report.add(
                "limits.max_message_size",
                "must be \(range.lowerBound)-\(range.upperBound) bytes, found \(limits.maxMessageSize)"
            )
        }
        if !(limits.tcpIdleTimeout > 0) || !limits.tcpIdleTimeout.isFinite {
            report.add("limits.tcp_idle_timeout", "must be greater than 0 seconds, found \(limits.tcpIdleTimeout)")
        }
        if limits.maxConnectionsPerSource < 1 {
            report.add(
                "limits.max_connections_per_source",
                "must be at least 1, found \(limits.maxConnectionsPerSource)"
            )
        }
    }

    private func validateCluster(_ report: inout ValidationReport) {
        if let name = cluster.nodeName, name.isEmpty || name.count > 200 || name.contains(where: { $0.isNewline || $0 == "\0" }) {
            report.add("node.name", "must be 1-200 characters on one line")
        }
        if !(0.2...60).contains(cluster.heartbeatInterval) {
            report.add("cluster.heartbeat_interval", "must be 0.2-60 seconds, found \(cluster.heartbeatInterval)")
        }
        if cluster.nodeTimeout < cluster.heartbeatInterval * 3 || cluster.nodeTimeout > 3600 {
            report.add("cluster.node_timeout",
                       "must be at least three heartbeats (\(cluster.heartbeatInterval * 3) s) and at most 3600 s, found \(cluster.nodeTimeout)")
        }
        if !(0.05...10).contains(cluster.admissionTimeout) {
            report.add("cluster.admission_timeout", "must be 0.05-10 seconds, found \(cluster.admissionTimeout)")
        }
    }

    private func validatePerformance(_ report: inout ValidationReport) {
        let range = PerformanceConfig.busyPollRange
        if !range.contains(performance.busyPollMicroseconds) {
            report.add(
                "performance.busy_poll_us",
                "must be \(range.lowerBound)-\(range.upperBound) microseconds (0 turns busy polling off), found \(performance.busyPollMicroseconds)"
            )
        }
        let rates = PerformanceConfig.busyPollMinimumRateRange
        if !rates.contains(performance.busyPollMinimumRate) {
            report.add(
                "performance.busy_poll_min_rate",
                "must be \(rates.lowerBound)-\(rates.upperBound) messages a second (0 polls at any rate), found \(performance.busyPollMinimumRate)"
            )
        }
    }

    private func validateConsole(_ report: inout ValidationReport) {
        guard let console else { return }
        let listen = console.listen
        guard let address = IPAddress(parsing: listen.host) else {
            let problem =
                listen.host.isEmpty
                ? "an address is required"
                : "\(ConfigSyntax.quoted(listen.host)) is not an IP address; the console binds an address such as 127.0.0.1"
            report.add("console.listen", problem)
            return
        }
        guard listen.hasValidPort else {
            report.add("console.listen", "port \(listen.port) must be 1-65535")
            return
        }
        for (index, listener) in listeners.enumerated() where listener.endpoint.transport.isStream {
            guard listener.endpoint.port == listen.port,
                let other = IPAddress(parsing: listener.endpoint.host), Self.overlaps(address, other)
            else { continue }
            report.add("console.listen", "uses the same address and port as listeners[\(index)] (\(listener.endpoint))")
            break
        }
        if (console.tlsCertificate == nil) != (console.tlsKey == nil) {
            report.add(console.tlsCertificate == nil ? "console.tls_certificate" : "console.tls_key",
                       "tls_certificate and tls_key go together")
        }
        for (key, value) in [("idle_timeout", console.idleTimeout), ("session_lifetime", console.sessionLifetime),
                             ("login_failure_window", console.loginFailureWindow), ("ban_duration", console.banDuration)] where value <= 0 {
            report.add("console.\(key)", "must be more than 0 seconds, found \(value)")
        }
        if console.idleTimeout > console.sessionLifetime {
            report.add("console.idle_timeout", "must not be longer than session_lifetime (\(console.sessionLifetime) s)")
        }
        if console.banAfterFailures < 1 {
            report.add("console.ban_after_failures", "must be at least 1, found \(console.banAfterFailures)")
        }
    }

    private func validateLogging(_ report: inout ValidationReport) {
        if !LoggingConfig.levels.contains(logging.level) {
            let hint = Suggestion.hint(for: logging.level, in: LoggingConfig.levels)
            report.add(
                "logging.level",
                "unknown level \(ConfigSyntax.quoted(logging.level))\(hint); expected \(ConfigSyntax.alternatives(LoggingConfig.levels))"
            )
        }
        if !LoggingConfig.formats.contains(logging.format) {
            let hint = Suggestion.hint(for: logging.format, in: LoggingConfig.formats)
            report.add(
                "logging.format",
                "unknown format \(ConfigSyntax.quoted(logging.format))\(hint); expected \(ConfigSyntax.alternatives(LoggingConfig.formats))"
            )
        }
    }

    private func validateStore(_ report: inout ValidationReport) {
        if let url = store.url {
            let lowered = url.lowercased()
            if !(lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://"))
                || lowered.count <= "postgres://".count
            {
                report.add("store.url", "must be a PostgreSQL URL such as postgres://tollgate@db.example.com/tollgate")
            }
        } else if store.path.trimmingASCIIWhitespace().isEmpty {
            report.add("store.path", "must name the SQLite database file, e.g. tollgate.db")
        }
    }

    static func tokenProblem(_ name: String) -> String {
        if name.isEmpty { return "must not be empty" }
        return "\(ConfigSyntax.quoted(name)) may contain only letters, digits and - . ! % * _ + ` ' ~"
    }
}

/// The errors collected by one validation run.
struct ValidationReport {
    /// The problems found, in order.
    private(set) var errors: [ConfigError] = []

    /// Records a problem at `path`.
    mutating func add(_ path: String, _ message: String) {
        errors.append(ConfigError(message, path: path))
    }
}
