import SIPCore
import SIPTransport

/// What a policy decides about a message.
public enum PolicyVerdict: Sendable, Hashable {
    /// Let the message through to the next policy and then to routing.
    case pass
    /// Drop silently (the sender learns nothing).
    case drop(reason: String)
    /// Answer a request with this status and stop (responses are dropped instead).
    case reject(status: Int, reason: String)
    /// Drop and ban the source for `seconds`.
    case ban(source: String, seconds: Int, reason: String)
}

/// Everything a policy may look at besides the message: where it came from and which zone that is.
public struct PolicyContext: Sendable {
    public var source: SIPPeer
    public var zone: GatewayZone
    /// The trunk the source belongs to, if any.
    public var trunk: String?
    /// Whether the message is a response coming back through the gateway.
    public var isResponse: Bool

    public init(source: SIPPeer, zone: GatewayZone, trunk: String?, isResponse: Bool) {
        self.source = source
        self.zone = zone
        self.trunk = trunk
        self.isResponse = isResponse
    }
}

/// One decision in the gateway's message path. Policies are pure: they look at a message and
/// its context and return a verdict, and never do I/O. Shield (security) and Fraud (call
/// policy) plug in here.
public protocol SIPPolicy: Sendable {
    /// A short stable name, used as the `rule` of the events the verdicts produce.
    var name: String { get }
    func evaluate(_ message: SIPMessage, context: PolicyContext) -> PolicyVerdict
}

/// The policies in order; the first verdict other than `pass` wins.
public struct PolicyChain: Sendable {
    public var policies: [any SIPPolicy]

    public init(_ policies: [any SIPPolicy] = []) { self.policies = policies }

    public func evaluate(_ message: SIPMessage, context: PolicyContext) -> (verdict: PolicyVerdict, policy: String?) {
        for policy in policies {
            let verdict = policy.evaluate(message, context: context)
            if verdict != .pass { return (verdict, policy.name) }
        }
        return (.pass, nil)
    }
}

/// The side of the gateway a peer is on.
public enum GatewayZone: String, Sendable, Hashable {
    /// The internet: trunks, remote phones, attackers.
    case external
    /// The PBX side.
    case `internal`
}
