import Foundation

/// Media anchoring: every call that crosses the outside is relayed through Tollgate, so the outside
/// sees only Tollgate's address in SDP and media, with SRTP as each side's policy says.
public struct MediaConfig: Sendable, Hashable, Codable {
    /// Whether calls' media is anchored (on by default).
    public var anchor: Bool = true
    /// The UDP ports media uses: even for RTP, the odd one above for RTCP.
    public var ports: ClosedRange<UInt16> = 20_000...39_999
    /// Drop plain RTP from anywhere but the address the peer signalled, even before it has sent
    /// (off: a phone behind NAT is followed to where its first packets come from).
    public var strictSource: Bool = false
    /// Seconds without media either way before a `media-timeout` event.
    public var timeout: Double = 60
    /// The same while a call is on hold (sendonly, recvonly, inactive).
    public var holdTimeout: Double = 3_600
    /// What a call with no media either way for its timeout comes to.
    public var timeoutAction: TimeoutAction = .hangup
    /// The PBX's side: plain RTP unless told otherwise.
    public var inside = MediaSideConfig(srtp: .off, suites: ["AES_CM_128_HMAC_SHA1_80"])
    /// Trunks' and remote phones' side: SRTP whenever the peer can.
    public var outside = MediaSideConfig(srtp: .optional, suites: ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"])

    public init() {}

    /// What Tollgate does with a call whose media stopped both ways (one-way audio is only reported).
    public enum TimeoutAction: String, Sendable, Hashable, Codable, CaseIterable {
        /// A `media-timeout` event, and a BYE to each side (the CDR's rule is `media-timeout`).
        case hangup
        /// The event only.
        case report
    }

    /// Reads `20000-39999`: two ports from 1024 up, the range holding at least one even/odd pair.
    public static func portRange(_ text: String) -> ClosedRange<UInt16>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let low = UInt16(parts[0]), let high = UInt16(parts[1]), low >= 1024, low < high else { return nil }
        let firstEven = low % 2 == 0 ? low : low + 1
        guard firstEven < high else { return nil }
        return low...high
    }

    /// The SDES suites Tollgate implements.
    public static let supportedSuites = [
        "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32",
        "AEAD_AES_128_GCM", "AEAD_AES_256_GCM",
    ]
}

/// One side's media settings.
public struct MediaSideConfig: Sendable, Hashable, Codable {
    /// Whether the side uses SRTP.
    public enum SRTP: String, Sendable, Hashable, Codable, CaseIterable {
        case required, optional, off
    }

    /// The address written in SDP and bound for this side's ports; nil: the side's SIP listener's.
    public var address: String?
    public var srtp: SRTP
    /// The suites offered to this side, in order of preference.
    public var suites: [String]

    public init(address: String? = nil, srtp: SRTP, suites: [String]) {
        self.address = address
        self.srtp = srtp
        self.suites = suites
    }
}
