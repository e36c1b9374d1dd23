/// What a call's anchored media did, as its CDR keeps it: the codec, packets, bytes and losses from
/// each party, whether the outside leg was encrypted, and what was dropped on the way.
public struct CallMediaSummary: Sendable, Hashable, Codable {
    /// Packets, bytes (as plain RTP) and RTP packets lost from one party.
    public struct Flow: Sendable, Hashable, Codable {
        public var packets: UInt64
        public var bytes: UInt64
        public var lost: UInt64

        public init(packets: UInt64 = 0, bytes: UInt64 = 0, lost: UInt64 = 0) {
            self.packets = packets
            self.bytes = bytes
            self.lost = lost
        }
    }

    /// The first codec agreed, e.g. `PCMU/8000`.
    public var codec: String?
    /// What the caller sent.
    public var fromCaller: Flow
    /// What the callee sent.
    public var fromCallee: Flow
    /// Whether the outside leg used SRTP.
    public var encrypted: Bool
    /// Packets dropped: failed SRTP authentication, from a foreign address, malformed.
    public var dropped: UInt64

    public init(codec: String? = nil, fromCaller: Flow = Flow(), fromCallee: Flow = Flow(), encrypted: Bool = false, dropped: UInt64 = 0) {
        self.codec = codec
        self.fromCaller = fromCaller
        self.fromCallee = fromCallee
        self.encrypted = encrypted
        self.dropped = dropped
    }

    /// The compact text form the CDR journal and exports use:
    /// `codec;packets:bytes:lost;packets:bytes:lost;srtp|rtp;dropped` (no comma, so a CSV field needs no quotes).
    public var text: String {
        func flow(_ flow: Flow) -> String { "\(flow.packets):\(flow.bytes):\(flow.lost)" }
        return "\(codec ?? "");\(flow(fromCaller));\(flow(fromCallee));\(encrypted ? "srtp" : "rtp");\(dropped)"
    }

    /// Reads ``text`` back; nil when it is not that form.
    public init?(text: String) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        func flow(_ part: Substring) -> Flow? {
            let numbers = part.split(separator: ":").compactMap { UInt64($0) }
            guard numbers.count == 3 else { return nil }
            return Flow(packets: numbers[0], bytes: numbers[1], lost: numbers[2])
        }
        guard parts.count == 5, let caller = flow(parts[1]), let callee = flow(parts[2]), parts[3] == "srtp" || parts[3] == "rtp",
              let dropped = UInt64(parts[4]) else { return nil }
        self.init(codec: parts[0].isEmpty ? nil : String(parts[0]), fromCaller: caller, fromCallee: callee, encrypted: parts[3] == "srtp",
                  dropped: dropped)
    }
}
