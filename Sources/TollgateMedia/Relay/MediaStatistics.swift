/// What a call's media did, for its CDR and the console: packets and bytes each way, RTP packets
/// lost (gaps in sequence numbers), and what was dropped and why.
public struct MediaStatistics: Sendable, Hashable {
    /// One direction's counts.
    public struct Direction: Sendable, Hashable {
        /// Packets relayed (RTP and RTCP).
        public var packets: UInt64 = 0
        /// Their bytes, as plain RTP (without SRTP's tag).
        public var bytes: UInt64 = 0
        /// RTP packets the sender numbered but that never came (sequence gaps).
        public var lost: UInt64 = 0
        public init() {}
    }

    /// From the outside (trunk or phone) towards the PBX.
    public var fromOutside = Direction()
    /// From the PBX towards the outside.
    public var fromInside = Direction()
    /// SRTP or SRTCP packets that failed authentication (or were replayed).
    public var authenticationFailures: UInt64 = 0
    /// Packets from an address other than the peer's (a hijack attempt, or a stray).
    public var foreignPackets: UInt64 = 0
    /// Packets too short or not RTP where RTP was due.
    public var malformedPackets: UInt64 = 0
    /// Packets from or for a side not ready for them: its answer had not yet said whether it speaks
    /// SRTP, or where to send to is not yet known, or its stream is disabled.
    public var unnegotiatedPackets: UInt64 = 0
    /// The first codec agreed, e.g. `PCMU/8000`.
    public var codec: String?

    public init() {}

    /// The direction from `side`.
    public subscript(from side: MediaSide) -> Direction {
        get { side == .outside ? fromOutside : fromInside }
        set { if side == .outside { fromOutside = newValue } else { fromInside = newValue } }
    }
}
