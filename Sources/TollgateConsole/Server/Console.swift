import Foundation
import Logging
import NIOConcurrencyHelpers
import Prometheus
import TollgateConfig
import TollgateModel
import TollgateStore

/// Everything the console's routes share: its settings, the store, the running gateway's status,
/// sessions, the sign-in throttle, the page templates, the metrics registry and the clock.
public final class Console: Sendable {
    public let settings: ConsoleConfig
    /// The gateway's configuration, for the routes and trunks pages.
    public let config: TollgateConfig
    public let store: any Store
    /// The running gateway's state; `nil` when there is none (the console alone, or before start).
    let status: @Sendable () async -> GatewayStatus?
    public let sessions: ConsoleSessions
    let hashing: PasswordHashing
    let throttle: NIOLockedValueBox<LoginThrottle>
    let pages: PageRenderer
    /// The registry `/metrics` shows; `nil` serves no metrics.
    let metrics: PrometheusCollectorRegistry?
    let now: @Sendable () -> Date
    let logger: Logger
    /// A bcrypt hash checked against when a user does not exist, so that the answer takes as long.
    let decoyHash: String
    /// What passwords enrolment refuses.
    let passwordPolicy: PasswordPolicy
    /// The session cookie's name and attributes.
    let cookie: SessionCookie
    /// Edits the configuration file; `nil` when the gateway runs without one (flags only).
    let editor: ConfigFileEditor?
    /// Applies a saved configuration the way SIGHUP does (Shield, fraud control, caller identity).
    let reload: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - settings: Where the console listens and its session and ban settings.
    ///   - config: The gateway's configuration (shown, never changed in place).
    ///   - store: Users, sessions, tokens, the audit log, and everything the pages show.
    ///   - status: The running gateway's state.
    ///   - metrics: The registry swift-metrics reports to, shown at `/metrics`.
    ///   - hashing: bcrypt's cost (lower in tests).
    ///   - now: The clock (fixed in tests).
    ///   - editor: Edits the configuration file, when there is one.
    ///   - reload: Applies a saved configuration as SIGHUP does.
    public init(settings: ConsoleConfig, config: TollgateConfig, store: any Store, status: @escaping @Sendable () async -> GatewayStatus?,
                metrics: PrometheusCollectorRegistry?, hashing: PasswordHashing = PasswordHashing(), logger: Logger,
                now: @escaping @Sendable () -> Date = Date.init, editor: ConfigFileEditor? = nil, reload: (@Sendable () -> Void)? = nil) async throws {
        self.editor = editor
        self.reload = reload
        self.settings = settings
        self.config = config
        self.store = store
        self.status = status
        self.metrics = metrics
        self.hashing = hashing
        self.logger = logger
        self.now = now
        sessions = ConsoleSessions(store: store, idleTimeout: settings.idleTimeout, lifetime: settings.sessionLifetime)
        throttle = NIOLockedValueBox(LoginThrottle(banAfter: settings.banAfterFailures, window: settings.loginFailureWindow,
                                                   banFor: settings.banDuration))
        pages = try PageRenderer()
        passwordPolicy = try PasswordPolicy.bundled()
        cookie = SessionCookie(secure: settings.usesTLS)
        decoyHash = try await hashing.hash(SecretToken.make())
    }

    /// Whether a connection from `address` may be served: inside `console.allow` (loopback when
    /// unset) and not banned for failed logins.
    public func admits(_ address: IPAddress) -> Bool {
        (settings.allow ?? ConsoleConfig.loopbackRanges).contains { $0.contains(address) } && !isBanned(address)
    }

    /// Whether `address` may read `/metrics`: inside `console.metrics_allow` (loopback when unset), not banned.
    func admitsMetrics(_ address: IPAddress) -> Bool {
        (settings.metricsAllow ?? ConsoleConfig.loopbackRanges).contains { $0.contains(address) } && !isBanned(address)
    }

    /// Whether `address` is banned from the console for failed sign-ins.
    func isBanned(_ address: IPAddress) -> Bool {
        throttle.withLockedValue { $0.isBanned(address.description, at: now()) }
    }

    /// Writes an audit-log entry; a store that refuses it is logged (the action itself stands).
    func audit(_ actor: String, from source: String, _ action: String, target: String, before: String? = nil, after: String? = nil) async {
        do {
            try await store.appendAuditEntry(actor: actor, source: source, action: action, target: target, before: before, after: after, at: now())
        } catch {
            logger.error("cannot write the audit log", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }
}
