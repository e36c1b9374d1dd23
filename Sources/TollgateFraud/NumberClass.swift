/// What kind of destination a dialled number reaches.
public enum NumberClass: String, Sendable, Hashable, CaseIterable, Codable {
    /// An extension on the PBX.
    case `internal`
    /// An emergency number; never blocked.
    case emergency
    /// A fixed-line number in the PBX's own country.
    case national
    /// A mobile number in the PBX's own country.
    case mobile
    /// A number in another country.
    case international
    /// A premium-rate range (national premium numbers at home or abroad).
    case premium
    /// A destination named by carriers' block lists, a NANP look-alike, or a satellite or
    /// non-geographic range.
    case highRisk = "high-risk"
}

extension NumberClass {
    /// International, premium-rate or high-risk: what the international thresholds count.
    public var isAbroadOrRisky: Bool {
        switch self {
        case .international, .premium, .highRisk: true
        default: false
        }
    }
}
