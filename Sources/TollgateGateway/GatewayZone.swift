/// The side of the gateway a peer is on.
public enum GatewayZone: String, Sendable, Hashable {
    /// The internet: trunks, remote phones, attackers.
    case external
    /// The PBX side.
    case `internal`
}
