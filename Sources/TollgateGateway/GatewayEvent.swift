import SIPTransport

/// Something the gateway did that an operator should see: a drop, a reject, a failover, a trunk
/// going down. Observers (logs, metrics, the store) subscribe to these; the message path never waits.
public struct GatewayEvent: Sendable, Hashable {
    /// Stable kinds, used in logs and metrics.
    public enum Kind: String, Sendable, Hashable {
        case malformed, invalid, unknownSource = "unknown-source", policyDrop = "policy-drop"
        case policyReject = "policy-reject", policyBan = "policy-ban", noRoute = "no-route"
        case failover, trunkDown = "trunk-down", trunkUp = "trunk-up", pbxUnreachable = "pbx-unreachable"
        case strayResponse = "stray-response", unknownDialog = "unknown-dialog", loop
    }

    public var kind: Kind
    public var source: String
    public var rule: String
    public var detail: String

    public init(kind: Kind, source: String, rule: String, detail: String) {
        self.kind = kind
        self.source = source
        self.rule = rule
        self.detail = detail
    }
}
