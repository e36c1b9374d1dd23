import TollgateConfig
import TollgateFraud
import TollgateShield

/// The rules a running gateway takes again on SIGHUP: Shield's (lists, profiles, fingerprints),
/// the fraud policy and caller identity (trust anchors, certificates, numbers, trunks' identity
/// policies). Listeners, the PBX, trunks' addresses and routes need a restart.
public struct GatewayRules: Sendable {
    /// Shield's rules; `nil` when Shield is off.
    public var shield: ShieldRules?
    /// The `fraud:` section.
    public var fraud: FraudConfig
    /// The classifier for `fraud` (its numbering plan and high-risk prefixes).
    public var classifier: NumberClassifier
    /// The `identity:` section.
    public var identity: IdentityConfig
    /// The trunks, for their identity policies.
    public var trunks: [TrunkConfig]
    /// The routes and the fallback, when they are reloaded too (`nil` leaves them as they are).
    public var routing: (routes: [RouteRule], fallback: FallbackConfig?)?

    public init(shield: ShieldRules?, fraud: FraudConfig, classifier: NumberClassifier, identity: IdentityConfig = IdentityConfig(),
                trunks: [TrunkConfig] = [], routing: (routes: [RouteRule], fallback: FallbackConfig?)? = nil) {
        self.shield = shield
        self.fraud = fraud
        self.classifier = classifier
        self.identity = identity
        self.trunks = trunks
        self.routing = routing
    }
}
