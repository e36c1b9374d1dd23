import TollgateModel
import Yams

/// A 1-based line and column in the YAML text.
struct SourcePosition: Sendable, Hashable {
    /// The 1-based line.
    var line: Int
    /// The 1-based column.
    var column: Int

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init(_ mark: Mark) {
        self.init(line: mark.line, column: mark.column)
    }
}

/// The keys of one YAML mapping that were recognised, with their positions.
struct ConfigMapping {
    /// The path of the mapping itself (`trunks[1]`; `""` for the document).
    let path: String
    /// Where the mapping starts.
    let position: SourcePosition?
    /// Recognised keys whose values are not null.
    var values: [String: Node] = [:]
    /// Where each recognised key is written (also for null values).
    var keyPositions: [String: SourcePosition] = [:]

    /// The path of the value under `key`.
    func child(_ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    /// Whether `key` has a non-null value.
    func has(_ key: String) -> Bool {
        values[key] != nil
    }
}

/// Walks a composed YAML tree (`Yams.Node`) into ``TollgateConfig`` values by hand, collecting
/// every problem with its position instead of stopping at the first.
///
/// Only structure and types are checked here (unknown keys, wrong types, missing keys, malformed
/// endpoints and address ranges); value rules live in ``TollgateConfig/validationErrors()`` so that
/// configurations built in code are held to them too. Values that fail to decode are replaced by
/// placeholders and their paths are remembered, so that validation does not report them again.
final class ConfigNodeDecoder {
    /// The problems found so far, in walking order.
    private(set) var errors: [ConfigError] = []
    /// Where the value at each path is written.
    private var positions: [String: SourcePosition] = [:]
    /// Paths (and everything under them) whose validation errors would only repeat a decoding error.
    private var suppressed: Set<String> = []
    /// Model paths spelt differently in the file: `listeners[0].endpoint` → `listeners[0].listen`.
    private var aliases: [String: String] = [:]

    static let rootKeys = [
        "listeners", "pbx", "trunks", "routes", "fallback", "remote_phones", "remote_phones_path", "topology_hiding", "limits",
        "performance", "console", "logging", "store", "shield", "alerts", "fraud", "media", "identity", "node", "cluster",
    ]
    static let nodeKeys = ["name"]
    static let clusterKeys = ["heartbeat_interval", "node_timeout", "shared_limits", "on_database_loss", "admission_timeout"]
    static let identityKeys = [
        "trust_anchors", "certificates", "x5u_allow", "x5u_tls_ca", "max_age", "fetch_budget", "country_code", "international_prefix",
        "national_prefix", "verstat", "own_numbers", "vips", "spoofed_action", "tag_prefix", "spoofed_tag_prefix",
    ]
    static let provisionedCertificateKeys = ["x5u", "file"]
    static let mediaKeys = ["anchor", "ports", "strict_source", "timeout", "hold_timeout", "timeout_action", "inside", "outside"]
    static let mediaSideKeys = ["address", "srtp", "suites"]
    static let endpointKeys = ["transport", "address", "port"]
    static let consoleKeys = [
        "listen", "tls_certificate", "tls_key", "allow", "metrics_allow", "idle_timeout", "session_lifetime", "ban_after_failures",
        "login_failure_window", "ban_duration",
    ]
    static let listenerKeys =
        ["name", "zone", "listen"] + endpointKeys + ["tls_certificate", "tls_key", "tls_ciphers", "tls_client_ca", "advertised_address"]
    static let pbxKeys = ["name", "endpoint"] + endpointKeys
    static let trunkKeys =
        ["name", "endpoint"] + endpointKeys + ["allowed_sources", "priority", "weight", "probe", "credentials", "tls_certificate", "tls_key", "tls_ca", "srtp", "srtp_suites", "identity", "identity_required"]
    static let probeKeys = ["interval", "timeout", "failures", "enabled"]
    static let credentialKeys = ["username", "password", "realm", "register", "register_expires"]
    static let routeKeys = ["name", "prefix", "trunks", "strip_digits", "prepend_digits"]
    static let fallbackKeys = ["target", "trunks"]
    static let topologyKeys = ["enabled", "strip_headers", "mask_sdp"]
    static let limitsKeys = ["max_message_size", "tcp_idle_timeout", "max_connections_per_source"]
    static let performanceKeys = ["busy_poll_us", "busy_poll_min_rate", "reader_thread"]
    static let loggingKeys = ["level", "format"]
    static let storeKeys = ["path", "url"]
    static let shieldKeys = [
        "enabled", "trusted_proxies", "allow", "deny", "never_ban", "global_requests_per_second", "max_tracked_sources",
        "source_expiry", "profiles", "peers", "scanners", "detection", "bans", "conceal_users", "auth_realm",
    ]
    static let profileKeys = [
        "requests_per_second", "burst", "invites_per_minute", "registers_per_minute", "options_per_minute",
        "other_per_minute", "ban_after_drops", "drop_window",
    ]
    static let peerKeys = ["name", "sources", "trunk", "profile", "trusted"]
    static let scannerKeys = ["block", "files"]
    static let detectionKeys = ["enumeration", "invite_sweep", "options_sweep", "auth_failures", "account_attack", "malformed", "media_abuse"]
    static let thresholdKeys = ["count", "window"]
    static let alertKeys = ["webhook", "syslog", "node"]
    static let webhookKeys = ["url", "headers", "min_severity", "attempts", "timeout"]
    static let syslogKeys = ["address", "port", "facility", "min_severity"]
    static let banKeys = ["duration", "max_duration", "escalation"]

    // MARK: - The document

    /// Decodes the document; problems go to ``errors``. Always returns a configuration, with
    /// placeholders where values could not be read.
    func decodeConfig(_ root: Node?) -> TollgateConfig {
        var config = TollgateConfig()
        positions[""] = SourcePosition(line: 1, column: 1)
        guard let root, !Self.isNull(root) else { return config }
        if let mark = root.mark { positions[""] = SourcePosition(mark) }
        guard let map = mapping(root, path: "", keys: Self.rootKeys) else {
            suppressed.insert("")
            return config
        }

        if let (node, path) = value(map, "listeners"), let items = sequence(node, path: path) {
            config.listeners = items.map { listener($0.node, path: $0.path) }
        }
        if let (node, path) = value(map, "pbx") {
            config.pbx = pbx(node, path: path)
        }
        if let (node, path) = value(map, "trunks"), let items = sequence(node, path: path) {
            config.trunks = items.map { trunk($0.node, path: $0.path) }
        }
        if let (node, path) = value(map, "routes"), let items = sequence(node, path: path) {
            config.routes = items.compactMap { route($0.node, path: $0.path) }
        }
        if let (node, path) = value(map, "fallback") {
            config.fallback = fallback(node, path: path)
        }
        if let remotePhones = optional(map, "remote_phones", bool) {
            config.remotePhones = remotePhones
        }
        if let path = optional(map, "remote_phones_path", bool) {
            config.remotePhonesPath = path
        }
        if let (node, path) = value(map, "topology_hiding") {
            config.topologyHiding = topologyHiding(node, path: path)
        }
        if let (node, path) = value(map, "limits") {
            config.limits = limits(node, path: path)
        }
        if let (node, path) = value(map, "performance") {
            config.performance = performance(node, path: path)
        }
        if let (node, path) = value(map, "console") {
            config.console = console(node, path: path)
        }
        if let (node, path) = value(map, "logging") {
            config.logging = logging(node, path: path)
        }
        if let (node, path) = value(map, "store") {
            config.store = store(node, path: path)
        }
        if let (node, path) = value(map, "shield") {
            config.shield = shield(node, path: path)
        }
        if let (node, path) = value(map, "alerts") {
            config.alerts = alerts(node, path: path)
        }
        if let (node, path) = value(map, "fraud") {
            config.fraud = fraud(node, path: path)
        }
        if let (node, path) = value(map, "media") {
            config.media = media(node, path: path)
        }
        if let (node, path) = value(map, "identity") {
            config.identity = identity(node, path: path)
        }
        if let (node, path) = value(map, "node"), let names = mapping(node, path: path, keys: Self.nodeKeys) {
            config.cluster.nodeName = optional(names, "name", string)
        }
        if let (node, path) = value(map, "cluster") {
            cluster(node, path: path, into: &config.cluster)
        }
        return config
    }

    private func identity(_ node: Node, path: String) -> IdentityConfig {
        var config = IdentityConfig()
        guard let map = mapping(node, path: path, keys: Self.identityKeys) else { return config }
        config.trustAnchors = optional(map, "trust_anchors", stringList) ?? []
        if let (node, path) = value(map, "certificates"), let items = sequence(node, path: path) {
            for (item, itemPath) in items {
                guard let entry = mapping(item, path: itemPath, keys: Self.provisionedCertificateKeys) else { continue }
                guard let x5u = required(entry, "x5u", string),
                      let file = required(entry, "file", string) else { continue }
                config.certificates.append(.init(x5u: x5u, file: file))
            }
        }
        config.x5uAllow = optional(map, "x5u_allow", stringList) ?? []
        config.x5uTLSCA = optional(map, "x5u_tls_ca", stringList) ?? []
        config.maxAge = optional(map, "max_age", double) ?? config.maxAge
        config.fetchBudget = optional(map, "fetch_budget", double) ?? config.fetchBudget
        config.countryCode = optional(map, "country_code", string) ?? config.countryCode
        config.internationalPrefix = optional(map, "international_prefix", string)
        config.nationalPrefix = optional(map, "national_prefix", string)
        if let (node, path) = value(map, "verstat"), let verstat = enumeration(IdentityConfig.Verstat.self, node, path: path, what: "verstat placement") {
            config.verstat = verstat
        }
        config.ownNumbers = optional(map, "own_numbers", stringList) ?? []
        config.vips = optional(map, "vips", stringList) ?? []
        if let (node, path) = value(map, "spoofed_action"),
           let action = enumeration(IdentityConfig.Policy.self, node, path: path, what: "identity policy") {
            config.spoofedAction = action
        }
        config.tagPrefix = optional(map, "tag_prefix", string) ?? config.tagPrefix
        config.spoofedTagPrefix = optional(map, "spoofed_tag_prefix", string) ?? config.spoofedTagPrefix
        return config
    }

    private func media(_ node: Node, path: String) -> MediaConfig {
        var config = MediaConfig()
        guard let map = mapping(node, path: path, keys: Self.mediaKeys) else { return config }
        config.anchor = optional(map, "anchor", bool) ?? config.anchor
        if let (node, path) = value(map, "ports"), let text = string(node, path: path) {
            if let range = MediaConfig.portRange(text) {
                config.ports = range
            } else {
                report("expected a port range such as 20000-39999 (1024–65535, at least one even/odd pair), found \(ConfigSyntax.quoted(text))",
                       path: path, at: node)
            }
        }
        config.strictSource = optional(map, "strict_source", bool) ?? config.strictSource
        config.timeout = optional(map, "timeout", double) ?? config.timeout
        config.holdTimeout = optional(map, "hold_timeout", double) ?? config.holdTimeout
        if let (node, path) = value(map, "timeout_action"),
           let action = enumeration(MediaConfig.TimeoutAction.self, node, path: path, what: "timeout action") {
            config.timeoutAction = action
        }
        for (key, value) in [("timeout", config.timeout), ("hold_timeout", config.holdTimeout)] where value <= 0 {
            report("must be more than 0 seconds", path: map.child(key), position: map.keyPositions[key] ?? nil)
        }
        if let (node, path) = value(map, "inside") { config.inside = mediaSide(node, path: path, default: config.inside) }
        if let (node, path) = value(map, "outside") { config.outside = mediaSide(node, path: path, default: config.outside) }
        return config
    }

    private func mediaSide(_ node: Node, path: String, default side: MediaSideConfig) -> MediaSideConfig {
        var config = side
        guard let map = mapping(node, path: path, keys: Self.mediaSideKeys) else { return config }
        config.address = optional(map, "address", string) ?? config.address
        if let (node, path) = value(map, "srtp"), let policy = enumeration(MediaSideConfig.SRTP.self, node, path: path, what: "SRTP policy") {
            config.srtp = policy
        }
        if let (node, path) = value(map, "suites"), let suites = stringList(node, path: path) {
            config.suites = srtpSuites(suites, node: node, path: path)
        }
        return config
    }

    /// A list of SRTP suites, each one Tollgate implements, at least one.
    private func srtpSuites(_ suites: [String], node: Node, path: String) -> [String] {
        for (index, suite) in suites.enumerated() where !MediaConfig.supportedSuites.contains(suite) {
            report("unknown SRTP suite \(ConfigSyntax.quoted(suite))\(Suggestion.hint(for: suite, in: MediaConfig.supportedSuites)); "
                   + "expected \(ConfigSyntax.alternatives(MediaConfig.supportedSuites))", path: "\(path)[\(index)]", at: node)
        }
        if suites.isEmpty { report("at least one suite is needed", path: path, at: node) }
        return suites
    }

    // MARK: - Sections

    private func listener(_ node: Node, path: String) -> ListenerConfig {
        let placeholder = ListenerConfig(endpoint: Self.placeholderEndpoint)
        guard let map = mapping(node, path: path, keys: Self.listenerKeys) else { return placeholder }
        let canonical = map.child("endpoint")
        let endpoint = endpoint(in: map, key: "listen", canonical: canonical) ?? Self.placeholderEndpoint
        return ListenerConfig(
            name: optional(map, "name", string),
            zone: optional(map, "zone") { self.enumeration(Zone.self, $0, path: $1, what: "zone") } ?? .external,
            endpoint: endpoint,
            tlsCertificate: optional(map, "tls_certificate", string),
            tlsKey: optional(map, "tls_key", string),
            tlsCiphers: optional(map, "tls_ciphers", string),
            tlsClientCA: optional(map, "tls_client_ca", string),
            advertisedAddress: optional(map, "advertised_address", string)
        )
    }

    private func pbx(_ node: Node, path: String) -> PBXConfig {
        let placeholder = PBXConfig(endpoint: Self.placeholderEndpoint)
        if case .scalar = node {
            aliases[path + ".endpoint"] = path
            guard let endpoint = endpointText(node, path: path) else {
                suppressed.insert(path)
                return placeholder
            }
            return PBXConfig(endpoint: endpoint)
        }
        guard let map = mapping(node, path: path, keys: Self.pbxKeys) else { return placeholder }
        guard let endpoint = endpoint(in: map, key: "endpoint", canonical: map.child("endpoint")) else {
            suppressed.insert(path)
            return placeholder
        }
        return PBXConfig(endpoint: endpoint, name: optional(map, "name", string) ?? "pbx")
    }

    private func trunk(_ node: Node, path: String) -> TrunkConfig {
        let placeholder = TrunkConfig(name: "", endpoint: Self.placeholderEndpoint, allowedSources: [])
        guard let map = mapping(node, path: path, keys: Self.trunkKeys) else { return placeholder }
        let name = required(map, "name", string) ?? ""
        let decodedEndpoint = endpoint(in: map, key: "endpoint", canonical: map.child("endpoint"))

        var allowedSources: [AddressRange]?
        if let (node, path) = value(map, "allowed_sources"), let items = sequence(node, path: path) {
            var ranges: [AddressRange] = []
            for item in items {
                if let range = addressRange(item.node, path: item.path) {
                    ranges.append(range)
                } else {
                    suppressed.insert(path)
                }
            }
            allowedSources = ranges
        } else if decodedEndpoint == nil {
            suppressed.insert(map.child("allowed_sources"))
        }

        var probe = TrunkProbeConfig()
        if let (node, path) = value(map, "probe"), let probeMap = mapping(node, path: path, keys: Self.probeKeys) {
            probe.interval = optional(probeMap, "interval", double) ?? probe.interval
            probe.timeout = optional(probeMap, "timeout", double) ?? probe.timeout
            probe.failures = optional(probeMap, "failures", int) ?? probe.failures
            probe.enabled = optional(probeMap, "enabled", bool) ?? probe.enabled
        }

        var credentials: TrunkCredentials?
        if let (node, path) = value(map, "credentials"),
            let credentialMap = mapping(node, path: path, keys: Self.credentialKeys)
        {
            let username = required(credentialMap, "username", string)
            let password = required(credentialMap, "password", string)
            let realm = optional(credentialMap, "realm", string)
            let register = optional(credentialMap, "register", bool) ?? false
            let expires = optional(credentialMap, "register_expires", int) ?? TrunkCredentials.defaultRegisterExpires
            if let username, let password {
                credentials = TrunkCredentials(username: username, password: password, realm: realm, register: register,
                                               registerExpires: expires)
            } else {
                suppressed.insert(path)
            }
        }

        var trunk = TrunkConfig(
            name: name,
            endpoint: decodedEndpoint ?? Self.placeholderEndpoint,
            allowedSources: allowedSources ?? (decodedEndpoint == nil ? [] : nil),
            priority: optional(map, "priority", int) ?? 1,
            weight: optional(map, "weight", int) ?? 100,
            probe: probe,
            credentials: credentials
        )
        trunk.tlsCertificate = optional(map, "tls_certificate", string)
        trunk.tlsKey = optional(map, "tls_key", string)
        trunk.tlsCA = optional(map, "tls_ca", string)
        if let (node, path) = value(map, "srtp") {
            trunk.srtp = enumeration(MediaSideConfig.SRTP.self, node, path: path, what: "SRTP policy")
        }
        if let (node, path) = value(map, "srtp_suites"), let suites = stringList(node, path: path) {
            trunk.srtpSuites = srtpSuites(suites, node: node, path: path)
        }
        if let (node, path) = value(map, "identity"), let policy = enumeration(IdentityConfig.Policy.self, node, path: path, what: "identity policy") {
            trunk.identity = policy
        }
        trunk.identityRequired = optional(map, "identity_required", bool) ?? false
        return trunk
    }

    private func route(_ node: Node, path: String) -> RouteRule? {
        guard let map = mapping(node, path: path, keys: Self.routeKeys) else { return nil }
        let prefix = required(map, "prefix", string, hint: " (use prefix: \"\" for a default route)")
        let trunks = required(map, "trunks", stringList)
        guard let prefix, let trunks else {
            suppressed.insert(path)
            return nil
        }
        return RouteRule(
            name: optional(map, "name", string),
            prefix: prefix,
            trunks: trunks,
            stripDigits: optional(map, "strip_digits", int) ?? 0,
            prependDigits: optional(map, "prepend_digits", string) ?? ""
        )
    }

    private func fallback(_ node: Node, path: String) -> FallbackConfig? {
        guard let map = mapping(node, path: path, keys: Self.fallbackKeys) else { return nil }
        let target = required(map, "target", string)
        let trunks = required(map, "trunks", stringList)
        guard let target, let trunks else {
            suppressed.insert(path)
            return nil
        }
        return FallbackConfig(target: target, trunks: trunks)
    }

    private func topologyHiding(_ node: Node, path: String) -> TopologyHidingConfig {
        var config = TopologyHidingConfig()
        guard let map = mapping(node, path: path, keys: Self.topologyKeys) else { return config }
        config.enabled = optional(map, "enabled", bool) ?? config.enabled
        config.stripHeaders = optional(map, "strip_headers", stringList) ?? config.stripHeaders
        config.maskSDP = optional(map, "mask_sdp", bool) ?? config.maskSDP
        return config
    }

    private func cluster(_ node: Node, path: String, into config: inout ClusterConfig) {
        guard let map = mapping(node, path: path, keys: Self.clusterKeys) else { return }
        config.heartbeatInterval = optional(map, "heartbeat_interval", double) ?? config.heartbeatInterval
        config.nodeTimeout = optional(map, "node_timeout", double) ?? config.nodeTimeout
        config.sharedLimits = optional(map, "shared_limits", bool) ?? config.sharedLimits
        if let (node, path) = value(map, "on_database_loss") {
            config.onDatabaseLoss = enumeration(ClusterConfig.DatabaseLossAction.self, node, path: path, what: "action") ?? config.onDatabaseLoss
        }
        config.admissionTimeout = optional(map, "admission_timeout", double) ?? config.admissionTimeout
    }

    private func performance(_ node: Node, path: String) -> PerformanceConfig {
        var config = PerformanceConfig()
        guard let map = mapping(node, path: path, keys: Self.performanceKeys) else { return config }
        config.busyPollMicroseconds = optional(map, "busy_poll_us", int) ?? config.busyPollMicroseconds
        config.busyPollMinimumRate = optional(map, "busy_poll_min_rate", int) ?? config.busyPollMinimumRate
        if let (node, path) = value(map, "reader_thread") {
            config.readerThread = readerThread(node, path: path) ?? config.readerThread
        }
        return config
    }

    /// `auto`, `on` or `off`; YAML's true and false read as on and off.
    private func readerThread(_ node: Node, path: String) -> PerformanceConfig.ReaderThread? {
        if case .scalar(let scalar) = node, ["true", "false"].contains(scalar.string.lowercased()) {
            return scalar.string.lowercased() == "true" ? .on : .off
        }
        return enumeration(PerformanceConfig.ReaderThread.self, node, path: path, what: "setting")
    }

    private func limits(_ node: Node, path: String) -> LimitsConfig {
        var config = LimitsConfig()
        guard let map = mapping(node, path: path, keys: Self.limitsKeys) else { return config }
        config.maxMessageSize = optional(map, "max_message_size", int) ?? config.maxMessageSize
        config.tcpIdleTimeout = optional(map, "tcp_idle_timeout", double) ?? config.tcpIdleTimeout
        config.maxConnectionsPerSource =
            optional(map, "max_connections_per_source", int) ?? config.maxConnectionsPerSource
        return config
    }

    /// The console: `console: 127.0.0.1:8080`, or a mapping with `listen` and the other settings.
    private func console(_ node: Node, path: String) -> ConsoleConfig? {
        if case .scalar = node {
            // The file's `console:` is the model's `console.listen`.
            aliases[path + ".listen"] = path
            return consoleListen(node, path: path).map(ConsoleConfig.init(listen:))
        }
        guard let map = mapping(node, path: path, keys: Self.consoleKeys) else { return nil }
        guard let (listenNode, listenPath) = value(map, "listen") else {
            report("'listen' is required, e.g. listen: 127.0.0.1:8080", path: path, at: node)
            suppressed.insert(path)
            return nil
        }
        guard let listen = consoleListen(listenNode, path: listenPath) else {
            suppressed.insert(path)
            return nil
        }
        var config = ConsoleConfig(listen: listen)
        config.tlsCertificate = optional(map, "tls_certificate", string)
        config.tlsKey = optional(map, "tls_key", string)
        if let (node, path) = value(map, "allow") { config.allow = addressRanges(node, path: path) }
        if let (node, path) = value(map, "metrics_allow") { config.metricsAllow = addressRanges(node, path: path) }
        config.idleTimeout = optional(map, "idle_timeout", double) ?? config.idleTimeout
        config.sessionLifetime = optional(map, "session_lifetime", double) ?? config.sessionLifetime
        config.banAfterFailures = optional(map, "ban_after_failures", int) ?? config.banAfterFailures
        config.loginFailureWindow = optional(map, "login_failure_window", double) ?? config.loginFailureWindow
        config.banDuration = optional(map, "ban_duration", double) ?? config.banDuration
        return config
    }

    /// The console's address, `ADDR:PORT` (a transport prefix `tcp:` is allowed).
    private func consoleListen(_ node: Node, path: String) -> Endpoint? {
        guard case .scalar(let scalar) = node else {
            report("give the console's address as text, e.g. 127.0.0.1:8080", path: path, at: node)
            return nil
        }
        do {
            let (endpoint, portGiven) = try Endpoint.parse(scalar.string, defaultTransport: .tcp)
            guard portGiven else {
                report("a port is required, e.g. 127.0.0.1:8080", path: path, at: node)
                return nil
            }
            return endpoint
        } catch {
            report(error.message, path: path, at: node)
            return nil
        }
    }

    private func logging(_ node: Node, path: String) -> LoggingConfig {
        var config = LoggingConfig()
        guard let map = mapping(node, path: path, keys: Self.loggingKeys) else { return config }
        config.level = optional(map, "level", string) ?? config.level
        config.format = optional(map, "format", string) ?? config.format
        return config
    }

    private func store(_ node: Node, path: String) -> StoreConfig {
        var config = StoreConfig()
        guard let map = mapping(node, path: path, keys: Self.storeKeys) else { return config }
        config.path = optional(map, "path", string) ?? config.path
        config.url = optional(map, "url", string)
        return config
    }

    private func shield(_ node: Node, path: String) -> ShieldConfig {
        var config = ShieldConfig()
        guard let map = mapping(node, path: path, keys: Self.shieldKeys) else { return config }
        config.enabled = optional(map, "enabled", bool) ?? config.enabled
        config.trustedProxies = optional(map, "trusted_proxies", addressRanges) ?? config.trustedProxies
        config.allow = optional(map, "allow", addressRanges) ?? config.allow
        config.deny = optional(map, "deny", addressRanges) ?? config.deny
        config.neverBan = optional(map, "never_ban", addressRanges) ?? config.neverBan
        config.globalRequestsPerSecond = optional(map, "global_requests_per_second", double) ?? config.globalRequestsPerSecond
        config.maxTrackedSources = optional(map, "max_tracked_sources", int) ?? config.maxTrackedSources
        config.sourceExpiry = optional(map, "source_expiry", double) ?? config.sourceExpiry
        config.concealUsers = optional(map, "conceal_users", bool) ?? config.concealUsers
        config.authRealm = optional(map, "auth_realm", string)
        if let (node, path) = value(map, "profiles") {
            if case .mapping(let pairs) = node {
                for (key, value) in pairs {
                    guard case .scalar(let name) = key else {
                        report("a profile name must be plain text, found \(Self.describe(key))", path: path, at: key)
                        continue
                    }
                    let base = config.profiles[name.string] ?? RateProfile.untrusted
                    config.profiles[name.string] = profile(value, path: path + "." + name.string, base: base)
                }
            } else {
                report("expected a mapping of profile names to limits, found \(Self.describe(node))", path: path, at: node)
            }
        }
        if let (node, path) = value(map, "peers"), let items = sequence(node, path: path) {
            config.peers = items.compactMap { peer($0.node, path: $0.path) }
        }
        if let (node, path) = value(map, "scanners"), let scanners = mapping(node, path: path, keys: Self.scannerKeys) {
            config.blockScanners = optional(scanners, "block", bool) ?? config.blockScanners
            config.fingerprintFiles = optional(scanners, "files", stringList) ?? config.fingerprintFiles
        }
        if let (node, path) = value(map, "detection"), let detection = mapping(node, path: path, keys: Self.detectionKeys) {
            func read(_ key: String, _ current: ShieldConfig.Threshold) -> ShieldConfig.Threshold {
                guard let (node, path) = value(detection, key) else { return current }
                return threshold(node, path: path, base: current)
            }
            config.enumeration = read("enumeration", config.enumeration)
            config.inviteSweep = read("invite_sweep", config.inviteSweep)
            config.optionsSweep = read("options_sweep", config.optionsSweep)
            config.authFailures = read("auth_failures", config.authFailures)
            config.accountAttack = read("account_attack", config.accountAttack)
            config.malformed = read("malformed", config.malformed)
            config.mediaAbuse = read("media_abuse", config.mediaAbuse)
        }
        if let (node, path) = value(map, "bans"), let bans = mapping(node, path: path, keys: Self.banKeys) {
            config.bans.duration = optional(bans, "duration", double) ?? config.bans.duration
            config.bans.maxDuration = optional(bans, "max_duration", double) ?? config.bans.maxDuration
            config.bans.escalation = optional(bans, "escalation", double) ?? config.bans.escalation
        }
        return config
    }

    private func alerts(_ node: Node, path: String) -> AlertsConfig {
        var config = AlertsConfig()
        guard let map = mapping(node, path: path, keys: Self.alertKeys) else { return config }
        config.node = optional(map, "node", string)
        if let (node, path) = value(map, "webhook"), let hook = mapping(node, path: path, keys: Self.webhookKeys) {
            if let url = required(hook, "url", string) {
                var webhook = AlertsConfig.Webhook(url: url)
                webhook.minSeverity = optional(hook, "min_severity", string) ?? webhook.minSeverity
                webhook.attempts = optional(hook, "attempts", int) ?? webhook.attempts
                webhook.timeout = optional(hook, "timeout", double) ?? webhook.timeout
                if let (node, headerPath) = value(hook, "headers") {
                    if case .mapping(let pairs) = node {
                        for (key, value) in pairs {
                            if case .scalar(let name) = key, let text = string(value, path: headerPath + "." + name.string) {
                                webhook.headers[name.string] = text
                            }
                        }
                    } else {
                        report("expected a mapping of header names to values, found \(Self.describe(node))", path: headerPath, at: node)
                    }
                }
                config.webhook = webhook
            } else {
                suppressed.insert(path)
            }
        }
        if let (node, path) = value(map, "syslog"), let log = mapping(node, path: path, keys: Self.syslogKeys) {
            if let address = required(log, "address", string) {
                var syslog = AlertsConfig.Syslog(host: address)
                // "host:port" or "[v6]:port" in one value, or the port on its own.
                if let colon = address.lastIndex(of: ":"), address.hasPrefix("[") || address.filter({ $0 == ":" }).count == 1,
                   let port = Int(address[address.index(after: colon)...]) {
                    syslog.host = String(address[..<colon].filter { $0 != "[" && $0 != "]" })
                    syslog.port = port
                }
                syslog.port = optional(log, "port", int) ?? syslog.port
                syslog.facility = optional(log, "facility", string) ?? syslog.facility
                syslog.minSeverity = optional(log, "min_severity", string) ?? syslog.minSeverity
                config.syslog = syslog
            } else {
                suppressed.insert(path)
            }
        }
        return config
    }

    private func profile(_ node: Node, path: String, base: RateProfile) -> RateProfile {
        var profile = base
        guard let map = mapping(node, path: path, keys: Self.profileKeys) else { return profile }
        profile.requestsPerSecond = optional(map, "requests_per_second", double) ?? profile.requestsPerSecond
        profile.burst = optional(map, "burst", double) ?? profile.burst
        profile.invitesPerMinute = optional(map, "invites_per_minute", double) ?? profile.invitesPerMinute
        profile.registersPerMinute = optional(map, "registers_per_minute", double) ?? profile.registersPerMinute
        profile.optionsPerMinute = optional(map, "options_per_minute", double) ?? profile.optionsPerMinute
        profile.otherPerMinute = optional(map, "other_per_minute", double) ?? profile.otherPerMinute
        profile.banAfterDrops = optional(map, "ban_after_drops", int) ?? profile.banAfterDrops
        profile.dropWindow = optional(map, "drop_window", double) ?? profile.dropWindow
        return profile
    }

    private func peer(_ node: Node, path: String) -> ShieldConfig.PeerProfile? {
        guard let map = mapping(node, path: path, keys: Self.peerKeys) else { return nil }
        guard let profile = required(map, "profile", string) else {
            suppressed.insert(path)
            return nil
        }
        return ShieldConfig.PeerProfile(
            name: optional(map, "name", string),
            sources: optional(map, "sources", addressRanges) ?? [],
            trunk: optional(map, "trunk", string),
            profile: profile,
            trusted: optional(map, "trusted", bool) ?? true
        )
    }

    private func threshold(_ node: Node, path: String, base: ShieldConfig.Threshold) -> ShieldConfig.Threshold {
        var threshold = base
        guard let map = mapping(node, path: path, keys: Self.thresholdKeys) else { return threshold }
        threshold.count = optional(map, "count", int) ?? threshold.count
        threshold.window = optional(map, "window", double) ?? threshold.window
        return threshold
    }

    private func addressRanges(_ node: Node, path: String) -> [AddressRange]? {
        guard let items = sequence(node, path: path) else { return nil }
        var ranges: [AddressRange] = []
        var ok = true
        for item in items {
            if let range = addressRange(item.node, path: item.path) { ranges.append(range) } else { ok = false }
        }
        if !ok { suppressed.insert(path) }
        return ranges
    }

    // MARK: - Endpoints and ranges

    /// A host of `""`: stands in for an endpoint that could not be read (validation skips it).
    static let placeholderEndpoint = Endpoint(transport: .udp, host: "", port: 5060)

    /// Reads an endpoint written under `key` (text or mapping) or inline as `transport`/`address`/`port`.
    private func endpoint(in map: ConfigMapping, key: String, canonical: String) -> Endpoint? {
        let inlineKeys = Self.endpointKeys.filter { map.keyPositions[$0] != nil }
        if map.keyPositions[key] != nil, !inlineKeys.isEmpty {
            report(
                "give the endpoint either as '\(key)' or as \(ConfigSyntax.alternatives(inlineKeys.map { "'\($0)'" })), not both",
                path: map.child(key),
                position: map.keyPositions[key]
            )
            suppressed.insert(canonical)
            return nil
        }
        if let (node, path) = value(map, key) {
            aliases[canonical] = path
            let endpoint: Endpoint?
            if case .scalar = node {
                endpoint = endpointText(node, path: path)
            } else if let endpointMap = mapping(node, path: path, keys: Self.endpointKeys) {
                endpoint = inlineEndpoint(endpointMap, defaultTransport: .udp)
            } else {
                endpoint = nil
            }
            if endpoint == nil { suppressed.insert(canonical) }
            return endpoint
        }
        if !inlineKeys.isEmpty || map.keyPositions[key] == nil {
            aliases[canonical] = map.child("address")
            let endpoint = inlineEndpoint(map, defaultTransport: .udp, missingHint: " (or '\(key): udp:ADDRESS:PORT')")
            if endpoint == nil { suppressed.insert(canonical) }
            return endpoint
        }
        report(
            "'\(key)' needs a value such as udp:192.0.2.1:5060", path: map.child(key), position: map.keyPositions[key])
        suppressed.insert(canonical)
        return nil
    }

    /// Reads `transport` (default `defaultTransport`), `address` (required) and `port` (default by transport).
    private func inlineEndpoint(
        _ map: ConfigMapping,
        defaultTransport: SIPTransportKind,
        missingHint: String = ""
    ) -> Endpoint? {
        var ok = true
        let transport: SIPTransportKind
        if let (node, path) = value(map, "transport") {
            if let kind = enumeration(SIPTransportKind.self, node, path: path, what: "transport") {
                transport = kind
            } else {
                transport = defaultTransport
                ok = false
            }
        } else {
            transport = defaultTransport
        }
        var host = ""
        if let (node, path) = value(map, "address"), let address = string(node, path: path) {
            var text = Substring(address.trimmingASCIIWhitespace())
            if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
            if IPAddress(parsing: text) != nil || ConfigSyntax.isHostName(text) {
                host = String(text)
            } else {
                report("\(ConfigSyntax.quoted(address)) is not an IP address or host name", path: path, at: node)
                ok = false
            }
        } else {
            if !map.has("address") { _ = required(map, "address", string, hint: missingHint) }
            ok = false
        }
        var port = transport.defaultPort
        if let (node, path) = value(map, "port") {
            if let value = int(node, path: path) {
                if (1...65535).contains(value) {
                    port = value
                } else {
                    report("must be 1-65535", path: path, at: node)
                    ok = false
                }
            } else {
                ok = false
            }
        }
        return ok ? Endpoint(transport: transport, host: host, port: port) : nil
    }

    /// Reads an endpoint written as text, `udp:HOST:PORT`.
    private func endpointText(_ node: Node, path: String) -> Endpoint? {
        guard let text = string(node, path: path) else { return nil }
        do {
            return try Endpoint(parsing: text)
        } catch {
            report(error.message, path: path, at: node)
            return nil
        }
    }

    private func addressRange(_ node: Node, path: String) -> AddressRange? {
        guard let text = string(node, path: path) else { return nil }
        do {
            return try AddressRange(parsing: text)
        } catch {
            report(error.message, path: path, at: node)
            return nil
        }
    }

    // MARK: - Structure

    /// The value of `key` and its path, if the key is present with a non-null value.
    func value(_ map: ConfigMapping, _ key: String) -> (node: Node, path: String)? {
        map.values[key].map { ($0, map.child(key)) }
    }

    /// Reads an optional key; `nil` when absent, null or unreadable (the last is reported).
    func optional<T>(_ map: ConfigMapping, _ key: String, _ read: (Node, String) -> T?) -> T? {
        guard let (node, path) = value(map, key) else { return nil }
        return read(node, path)
    }

    /// Reads a required key, reporting it when absent or null.
    func required<T>(
        _ map: ConfigMapping,
        _ key: String,
        _ read: (Node, String) -> T?,
        hint: String = ""
    ) -> T? {
        guard let (node, path) = value(map, key) else {
            if let position = map.keyPositions[key] {
                report("'\(key)' needs a value\(hint)", path: map.child(key), position: position)
            } else {
                report("missing required key '\(key)'\(hint)", path: map.child(key), position: map.position)
            }
            return nil
        }
        return read(node, path)
    }

    /// Checks that `node` is a mapping, reports unknown keys (with a suggestion) and records positions.
    func mapping(_ node: Node, path: String, keys: [String]) -> ConfigMapping? {
        guard case .mapping(let pairs) = node else {
            report("expected a mapping of keys to values, found \(Self.describe(node))", path: path, at: node)
            return nil
        }
        var map = ConfigMapping(path: path, position: node.mark.map(SourcePosition.init))
        if let position = map.position, positions[path] == nil { positions[path] = position }
        for (key, value) in pairs {
            guard case .scalar(let keyScalar) = key else {
                report("a key must be plain text, found \(Self.describe(key))", path: path, at: key)
                continue
            }
            let name = keyScalar.string
            let childPath = map.child(name)
            let keyPosition = key.mark.map(SourcePosition.init)
            guard keys.contains(name) else {
                let hint = Suggestion.hint(for: name, in: keys)
                report("unknown key \(ConfigSyntax.quoted(name))\(hint)", path: childPath, position: keyPosition)
                continue
            }
            map.keyPositions[name] = keyPosition
            if Self.isNull(value) {
                positions[childPath] = keyPosition
            } else {
                positions[childPath] = value.mark.map(SourcePosition.init) ?? keyPosition
                map.values[name] = value
            }
        }
        return map
    }

    /// Checks that `node` is a list; returns its items with their paths (`path[i]`).
    func sequence(_ node: Node, path: String) -> [(node: Node, path: String)]? {
        guard case .sequence(let items) = node else {
            report("expected a list, found \(Self.describe(node))", path: path, at: node)
            return nil
        }
        return items.enumerated().map { index, item in
            let itemPath = "\(path)[\(index)]"
            if let mark = item.mark { positions[itemPath] = SourcePosition(mark) }
            return (item, itemPath)
        }
    }

    // MARK: - Scalars

    func string(_ node: Node, path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report("expected text, found \(Self.describe(node))", path: path, at: node)
            return nil
        }
        return scalar.string
    }

    func stringList(_ node: Node, path: String) -> [String]? {
        guard let items = sequence(node, path: path) else { return nil }
        var strings: [String] = []
        var ok = true
        for item in items {
            if let text = string(item.node, path: item.path) { strings.append(text) } else { ok = false }
        }
        return ok ? strings : nil
    }

    func int(_ node: Node, path: String) -> Int? {
        guard case .scalar(let scalar) = node else {
            report("expected a whole number, found \(Self.describe(node))", path: path, at: node)
            return nil
        }
        let text = scalar.string.replacingUnderscores()
        guard let value = Int(text) else {
            report("expected a whole number, found \(ConfigSyntax.quoted(scalar.string))", path: path, at: node)
            return nil
        }
        return value
    }

    func double(_ node: Node, path: String) -> Double? {
        guard case .scalar(let scalar) = node else {
            report("expected a number, found \(Self.describe(node))", path: path, at: node)
            return nil
        }
        let text = scalar.string.replacingUnderscores()
        guard
            text.utf8.allSatisfy({
                ConfigSyntax.isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
            }),
            let value = Double(text), value.isFinite
        else {
            report("expected a number, found \(ConfigSyntax.quoted(scalar.string))", path: path, at: node)
            return nil
        }
        return value
    }

    func bool(_ node: Node, path: String) -> Bool? {
        guard case .scalar(let scalar) = node else {
            report("expected true or false, found \(Self.describe(node))", path: path, at: node)
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report("expected true or false, found \(ConfigSyntax.quoted(scalar.string))", path: path, at: node)
            return nil
        }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(
        _ type: E.Type,
        _ node: Node,
        path: String,
        what: String
    ) -> E? where E.RawValue == String {
        guard let text = string(node, path: path) else { return nil }
        if let value = E(rawValue: text.lowercased()) { return value }
        let names = E.allCases.map(\.rawValue)
        report(
            "unknown \(what) \(ConfigSyntax.quoted(text))\(Suggestion.hint(for: text, in: names)); expected \(ConfigSyntax.alternatives(names))",
            path: path,
            at: node
        )
        return nil
    }

    // MARK: - Reporting and locating

    func report(_ message: String, path: String, at node: Node) {
        report(message, path: path, position: node.mark.map(SourcePosition.init))
    }

    func report(_ message: String, path: String, position: SourcePosition?) {
        errors.append(ConfigError(message, path: path, line: position?.line, column: position?.column))
        suppressed.insert(path)
    }

    /// Whether a validation error only repeats a problem already reported while decoding.
    func isSuppressed(_ error: ConfigError) -> Bool {
        if suppressed.contains("") { return true }
        guard let path = error.path else { return false }
        var candidate = path
        while true {
            if suppressed.contains(candidate) { return true }
            guard let parent = Self.parent(of: candidate) else { return false }
            candidate = parent
        }
    }

    /// A validation error with its path spelt as in the file and the position of that path (or of
    /// its nearest written ancestor).
    func locate(_ error: ConfigError) -> ConfigError {
        var error = error
        guard var path = error.path else { return error }
        var suffix = ""
        var candidate: String? = path
        while let current = candidate {
            if let alias = aliases[current] {
                path = alias + suffix
                break
            }
            guard let parent = Self.parent(of: current) else { break }
            suffix = String(current.dropFirst(parent.count)) + suffix
            candidate = parent
        }
        error.path = path
        var lookup: String? = path
        while let current = lookup {
            if let position = positions[current] {
                error.line = position.line
                error.column = position.column
                break
            }
            lookup = Self.parent(of: current)
        }
        return error
    }

    /// `trunks[1].endpoint` → `trunks[1]` → `trunks` → `""` → `nil`.
    static func parent(of path: String) -> String? {
        guard !path.isEmpty else { return nil }
        if path.hasSuffix("]"), let open = path.lastIndex(of: "[") {
            return String(path[..<open])
        }
        if let dot = path.lastIndex(of: ".") {
            return String(path[..<dot])
        }
        return ""
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar): isNull(node) ? "nothing" : "the value \(ConfigSyntax.quoted(scalar.string))"
        case .alias: "an alias"
        }
    }
}

extension String {
    /// The text with `_` digit separators removed (`65_536` → `65536`), as YAML allows in numbers.
    fileprivate func replacingUnderscores() -> String {
        String(filter { $0 != "_" })
    }
}
