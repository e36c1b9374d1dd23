/// One media stream (one `m=` line) of one side of a call as negotiated: where Tollgate listens for
/// it, where the peer said it listens, and the SRTP keys each way. The relay follows it.
public struct MediaStreamPlan: Sendable, Hashable {
    /// What the stream carries.
    public enum Kind: Sendable, Hashable {
        /// RTP with RTCP (audio, video): SRTP-capable.
        case rtp
        /// Any other UDP media (T.38 fax over UDPTL): relayed as it is.
        case datagram
        /// Port zero: the stream is declined or removed.
        case disabled
    }

    public var kind: Kind
    /// Tollgate's RTP port for this side (RTCP is one above unless muxed); 0 when none.
    public var localPort: UInt16
    /// The peer's signalled address and ports (nil until its SDP names them; 0.0.0.0 for hold).
    public var remoteAddress: String?
    public var remotePort: UInt16 = 0
    public var remoteRTCPPort: UInt16 = 0
    /// Whether RTCP shares the RTP port on this side (RFC 5761), as agreed with the peer.
    public var rtcpMux = false
    /// The key the peer protects with (it sent it in its SDP): what Tollgate unprotects with.
    public var inboundKey: SRTPMasterKey?
    /// The key Tollgate protects with towards the peer (sent in Tollgate's SDP).
    public var outboundKey: SRTPMasterKey?
    /// The first codec of the stream as agreed (e.g. `PCMU/8000`), for the CDR.
    public var codec: String?
    /// Tollgate offered this side SRTP and its answer has not come: whether its packets will be SRTP
    /// is not known yet, so the relay drops what arrives from it or is bound for it until then.
    public var awaitingAnswer = false
    /// The last SDP put the stream on hold (sendonly, recvonly, inactive, or a 0.0.0.0 address):
    /// silence is expected, so the longer timeout applies.
    public var onHold = false

    public init(kind: Kind, localPort: UInt16) {
        self.kind = kind
        self.localPort = localPort
    }

    /// Whether packets on this side are SRTP.
    public var isSRTP: Bool { inboundKey != nil && outboundKey != nil }
}
