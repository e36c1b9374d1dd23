/// The two sides of an anchored call: the PBX's (inside) and the internet's (outside: trunks and
/// remote phones). Each has its own address, SRTP policy and suites.
public enum MediaSide: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case inside
    case outside

    /// The other side.
    public var opposite: MediaSide { self == .inside ? .outside : .inside }

    public var description: String { rawValue }
}

/// Whether a side speaks SRTP.
public enum SRTPPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// SRTP or nothing: offers go out as RTP/SAVP, an offer with no acceptable crypto gets 488.
    case required
    /// SRTP whenever the peer can: accepted when offered, and offered best-effort (RTP/AVP with
    /// `a=crypto`, taken up only if the answer carries a key).
    case optional
    /// Plain RTP: crypto is neither offered nor accepted (an offer that insists on SRTP gets 488).
    case off
}

/// How Tollgate treats media on one side: its address in SDP and where it binds, and its SRTP.
public struct MediaSideSettings: Sendable, Hashable {
    /// The address written in SDP for this side and bound for its ports (IPv4 or IPv6 text).
    public var address: String
    public var srtp: SRTPPolicy
    /// The suites offered to this side, in order of preference (each its own line and key).
    public var suites: [SRTPProtectionProfile]

    public init(address: String, srtp: SRTPPolicy, suites: [SRTPProtectionProfile]) {
        self.address = address
        self.srtp = srtp
        self.suites = suites.isEmpty ? [.aesCM128HMACSHA1_80] : suites
    }

    /// `IP6` for an IPv6 address, `IP4` otherwise.
    var addressType: String { address.contains(":") ? "IP6" : "IP4" }
}
