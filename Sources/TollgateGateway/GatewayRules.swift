import TollgateConfig
import TollgateFraud
import TollgateShield

/// The rules a running gateway takes again on SIGHUP: Shield's (lists, profiles, fingerprints)
/// and the fraud policy. Listeners, the PBX, trunks and routes need a restart.
public struct GatewayRules: Sendable {
    /// Shield's rules; `nil` when Shield is off.
    public var shield: ShieldRules?
    /// The `fraud:` section.
    public var fraud: FraudConfig
    /// The classifier for `fraud` (its numbering plan and high-risk prefixes).
    public var classifier: NumberClassifier

    public init(shield: ShieldRules?, fraud: FraudConfig, classifier: NumberClassifier) {
        self.shield = shield
        self.fraud = fraud
        self.classifier = classifier
    }
}
