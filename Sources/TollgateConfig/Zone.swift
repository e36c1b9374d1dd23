/// The network zone a listener faces, which decides what the gateway accepts on it.
///
/// `external` is the internet side (trunks and remote phones, default deny), `internal` the PBX side
/// and `admin` the management side where only the console lives.
public enum Zone: String, Sendable, Hashable, CaseIterable, Codable {
    /// The internet: SIP trunks, remote phones and attackers.
    case external
    /// The LAN side, where the PBX is.
    case `internal`
    /// The management network (console).
    case admin
}
