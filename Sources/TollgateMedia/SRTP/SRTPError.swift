/// Why an SRTP or SRTCP packet could not be protected or unprotected, or a key not used.
public enum SRTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `inline:` key is not as long as the suite's master key and salt.
    case wrongKeyLength(profile: SRTPProtectionProfile, length: Int)
    /// Too short for an RTP or RTCP header, a version other than 2, or a CSRC list or header extension
    /// that runs past the end.
    case malformedPacket(String)
    /// The authentication tag (or the GCM tag) does not match: tampered, or another key.
    case authenticationFailed
    /// The packet's index was received before.
    case replayed(index: UInt64)
    /// The packet's index is older than the replay window reaches.
    case tooOld(index: UInt64)
    /// The same index would be protected twice under one key (a keystream reused).
    case indexReused(index: UInt64)
    /// The key has protected as many packets as it may (2^48 SRTP, 2^31 SRTCP).
    case keyExhausted
    /// The buffer has no room for the tag and trailer.
    case noRoom

    public var description: String {
        switch self {
        case let .wrongKeyLength(profile, length):
            return "\(profile.sdesName) needs \(profile.keyAndSaltLength) bytes of key and salt, got \(length)"
        case let .malformedPacket(reason): return "malformed packet: \(reason)"
        case .authenticationFailed: return "authentication failed"
        case let .replayed(index): return "packet \(index) replayed"
        case let .tooOld(index): return "packet \(index) older than the replay window"
        case let .indexReused(index): return "packet index \(index) already protected under this key"
        case .keyExhausted: return "the master key has reached its packet limit"
        case .noRoom: return "no room in the buffer for the authentication tag"
        }
    }
}
