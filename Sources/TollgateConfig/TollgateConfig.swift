import Foundation
import Yams

/// The whole gateway configuration, as read from `tollgate.yaml` and command-line flags.
///
/// Build one with ``init(yaml:source:)`` or ``load(path:)`` (which validate), or in code and then
/// call ``validate()``. Nothing in the gateway starts from a configuration that has not validated.
public struct TollgateConfig: Sendable, Hashable, Codable {
    /// The sockets the gateway listens on.
    public var listeners: [ListenerConfig]
    /// The PBX behind the gateway.
    public var pbx: PBXConfig
    /// The SIP trunks.
    public var trunks: [TrunkConfig]
    /// Outbound routing rules; the longest matching prefix wins.
    public var routes: [RouteRule]
    /// Where inbound calls go when the PBX is unreachable.
    public var fallback: FallbackConfig?
    /// Whether phones may register from the external zone.
    public var remotePhones: Bool = false
    /// Whether remote phones' registrations carry an RFC 3327 Path (the PBX must support Path)
    /// instead of having their Contact rewritten.
    public var remotePhonesPath: Bool = false
    /// What is removed from messages leaving toward the external zone.
    public var topologyHiding: TopologyHidingConfig
    /// Resource limits.
    public var limits: LimitsConfig
    /// CPU time traded for latency (busy polling).
    public var performance: PerformanceConfig = PerformanceConfig()
    /// Media anchoring and SRTP.
    public var media: MediaConfig = MediaConfig()
    /// Caller identity: STIR/SHAKEN verification and the caller-ID screen.
    public var identity: IdentityConfig = IdentityConfig()
    /// The web console (admin zone); `nil` runs without one.
    public var console: ConsoleConfig?
    /// Log level and format.
    public var logging: LoggingConfig
    /// Where events, bans and CDRs are kept.
    public var store: StoreConfig
    /// The intrusion-prevention rules.
    public var shield: ShieldConfig = ShieldConfig()
    /// Where security events are sent as they happen.
    public var alerts: AlertsConfig = AlertsConfig()
    /// Fraud control: the numbering plan dialled numbers are classified with.
    public var fraud: FraudConfig = FraudConfig()
    /// This node among others sharing the store: its name, heartbeat and shared limits.
    public var cluster: ClusterConfig = ClusterConfig()

    /// Creates a configuration; everything but the listeners and the PBX has a default.
    ///
    /// - Parameters:
    ///   - listeners: The sockets to listen on.
    ///   - pbx: The PBX.
    ///   - trunks: The SIP trunks.
    ///   - routes: Outbound routing rules.
    ///   - fallback: Where inbound calls go when the PBX is unreachable.
    ///   - remotePhones: Whether phones may register from the external zone.
    ///   - topologyHiding: Topology hiding.
    ///   - limits: Resource limits.
    ///   - console: Where the console listens.
    ///   - logging: Log level and format.
    ///   - store: The store.
    public init(
        listeners: [ListenerConfig],
        pbx: PBXConfig,
        trunks: [TrunkConfig] = [],
        routes: [RouteRule] = [],
        fallback: FallbackConfig? = nil,
        remotePhones: Bool = false,
        topologyHiding: TopologyHidingConfig = TopologyHidingConfig(),
        limits: LimitsConfig = LimitsConfig(),
        console: ConsoleConfig? = nil,
        logging: LoggingConfig = LoggingConfig(),
        store: StoreConfig = StoreConfig()
    ) {
        self.listeners = listeners
        self.pbx = pbx
        self.trunks = trunks
        self.routes = routes
        self.fallback = fallback
        self.remotePhones = remotePhones
        self.topologyHiding = topologyHiding
        self.limits = limits
        self.console = console
        self.logging = logging
        self.store = store
    }

    /// An empty configuration to apply command-line flags to when there is no file: no listeners,
    /// no trunks, no routes and no PBX (its host is empty). It does not validate until
    /// ``applyOverrides(pbx:listen:trunks:remotePhones:console:)`` has given it a PBX and listeners.
    public init() {
        self.init(listeners: [], pbx: PBXConfig(endpoint: Endpoint(transport: .udp, host: "", port: 5060)))
    }

    /// Parses YAML text and validates it.
    ///
    /// - Parameters:
    ///   - yaml: The configuration text.
    ///   - source: The file name to show in errors.
    ///   - adjust: Changes made before validation, such as command-line overrides: a file that
    ///     leaves out what the command line gives (the PBX, the listeners) is then valid.
    /// - Throws: ``ConfigErrors`` listing every problem found (syntax, unknown keys, wrong types,
    ///   out-of-range values, missing keys and broken cross-field rules), each with its line.
    public init(yaml: String, source: String = "<config>", adjusting adjust: (inout TollgateConfig) -> Void = { _ in }) throws(ConfigErrors) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigErrors(source: source, errors: [Self.syntaxError(error, source: source)])
        }

        let decoder = ConfigNodeDecoder()
        var config = decoder.decodeConfig(root)
        adjust(&config)
        var errors = decoder.errors
        for error in config.validationErrors() where !decoder.isSuppressed(error) {
            errors.append(decoder.locate(error))
        }
        guard errors.isEmpty else {
            var all = ConfigErrors(
                source: source,
                errors: errors.map { error in
                    var error = error
                    error.source = source
                    return error
                })
            all.sortByPosition()
            throw all
        }
        self = config
    }

    /// Reads and validates the YAML file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file to read; errors name it as given.
    ///   - adjust: Changes made before validation (see ``init(yaml:source:adjusting:)``).
    /// - Throws: ``ConfigErrors`` when the file cannot be read or is not a valid configuration.
    public static func load(path: String, adjusting adjust: (inout TollgateConfig) -> Void = { _ in }) throws(ConfigErrors) -> TollgateConfig {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigErrors(source: path, errors: [ConfigError("the file is not valid UTF-8", source: path)])
            }
            text = decoded
        } catch let error as ConfigErrors {
            throw error
        } catch {
            let reason = (error as NSError).localizedDescription
            throw ConfigErrors(source: path, errors: [ConfigError("cannot read the file: \(reason)", source: path)])
        }
        return try TollgateConfig(yaml: text, source: path, adjusting: adjust)
    }

    /// Checks the cross-field rules; ``init(yaml:source:)`` runs this, and callers run it again
    /// after ``applyOverrides(pbx:listen:trunks:remotePhones:console:)``.
    ///
    /// The rules: at least one listener; listener addresses are IP literals and ports 1-65535; no
    /// two listeners on the same transport, address and port; no address and port shared by
    /// listeners of different zones; TLS listeners have a certificate and key, others have neither;
    /// listener names unique; a PBX with a valid address; trunk names unique SIP tokens with a valid
    /// endpoint, at least one allowed source, priority and weight not negative, and probe interval,
    /// timeout and failures positive (timeout at most the interval); credentials complete; route
    /// prefixes digits with an optional leading `+`, unique, with at least one existing trunk;
    /// fallback target a number and its trunks existing; strip-header patterns valid; log level and
    /// format known; limits in range; store path or PostgreSQL URL; console address valid and free.
    ///
    /// - Throws: ``ConfigErrors`` (source `<config>`) with every broken rule, each with its path.
    public func validate() throws(ConfigErrors) {
        let errors = validationErrors()
        guard errors.isEmpty else { throw ConfigErrors(source: "<config>", errors: errors) }
    }

    /// A YAML syntax error (from Yams) as a positioned ``ConfigError``.
    static func syntaxError(_ error: any Error, source: String) -> ConfigError {
        guard let yamlError = error as? YamlError else {
            return ConfigError("cannot parse the YAML: \(error)", source: source)
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            if problem.contains("unexpected ':'") {
                message += "; inside [ ] or { }, quote values that contain ':', e.g. [\"2001:db8::/32\"]"
            }
            return ConfigError(message, line: mark.line, column: mark.column, source: source)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { ConfigSyntax.quoted($0) }.joined(separator: ", ")
            let noun = duplicates.count == 1 ? "key" : "keys"
            return ConfigError(
                "duplicate \(noun) \(keys) in one mapping",
                line: context.mark.line,
                column: context.mark.column,
                source: source
            )
        case .reader(let problem, let offset, _, let yaml):
            var line: Int?
            var column: Int?
            if let offset {
                let prefix = yaml.prefix(offset)
                line = prefix.count(where: { $0 == "\n" }) + 1
                column =
                    prefix.distance(
                        from: prefix.lastIndex(of: "\n").map(prefix.index(after:)) ?? prefix.startIndex,
                        to: prefix.endIndex) + 1
            }
            return ConfigError("cannot read the YAML: \(problem)", line: line, column: column, source: source)
        default:
            return ConfigError("cannot parse the YAML: \(yamlError)", source: source)
        }
    }
}
