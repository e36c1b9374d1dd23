/// Something the media relay saw that an operator should know of: each is published as a gateway
/// event (and counted), throttled per call.
public struct MediaEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Packets for a call's port from an address other than its peer's: a hijack attempt (RTP bleed,
        /// injection), or a peer that moved without re-signalling.
        case foreignSource = "media-foreign-source"
        /// SRTP or SRTCP that failed authentication or was replayed.
        case authenticationFailed = "srtp-auth-failed"
        /// No media either way for the configured time: dead or one-way audio.
        case timeout = "media-timeout"
        /// An offer refused: no acceptable SRTP, or no free port.
        case refused = "media-refused"
        /// A batch of forged, replayed or foreign packets from one outside source (``packets`` of them),
        /// for Shield to count towards a ban.
        case abuse = "media-abuse"
    }

    public var kind: Kind
    /// The call (its Call-ID as the inside sees it).
    public var callID: String
    /// The side it happened on.
    public var side: MediaSide
    /// The address packets came from (IP text), when there is one.
    public var source: String?
    public var detail: String
    /// For ``Kind/abuse``: how many packets the report covers.
    public var packets: Int
    /// For ``Kind/timeout``: no media either way (dead), rather than one side silent (one-way).
    public var bothWays: Bool

    public init(kind: Kind, callID: String, side: MediaSide, source: String?, detail: String, packets: Int = 0, bothWays: Bool = false) {
        self.bothWays = bothWays
        self.kind = kind
        self.callID = callID
        self.side = side
        self.source = source
        self.detail = detail
        self.packets = packets
    }
}
