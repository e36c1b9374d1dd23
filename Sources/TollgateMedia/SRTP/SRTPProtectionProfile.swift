/// An SRTP crypto suite as SDES names it (RFC 4568 §6.2, RFC 6188, RFC 7714 §14.2): the cipher, the
/// sizes of the master key and salt, and the length of the authentication tag on RTP and RTCP.
public enum SRTPProtectionProfile: String, Sendable, Hashable, CaseIterable {
    /// AES-128 in counter mode, HMAC-SHA1 with an 80-bit tag (RFC 4568). Every SRTP endpoint has it.
    case aesCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
    /// AES-128 in counter mode, a 32-bit tag on RTP and an 80-bit tag on RTCP (RFC 4568).
    case aesCM128HMACSHA1_32 = "AES_CM_128_HMAC_SHA1_32"
    /// AES-256 in counter mode, HMAC-SHA1 with an 80-bit tag (RFC 6188).
    case aes256CMHMACSHA1_80 = "AES_256_CM_HMAC_SHA1_80"
    /// AES-256 in counter mode, a 32-bit tag on RTP and an 80-bit tag on RTCP (RFC 6188).
    case aes256CMHMACSHA1_32 = "AES_256_CM_HMAC_SHA1_32"
    /// AES-128 in Galois/Counter Mode with a 16-byte tag (RFC 7714).
    case aeadAES128GCM = "AEAD_AES_128_GCM"
    /// AES-256 in Galois/Counter Mode with a 16-byte tag (RFC 7714).
    case aeadAES256GCM = "AEAD_AES_256_GCM"

    /// The suite's name in an `a=crypto` line.
    public var sdesName: String { rawValue }

    /// Finds a suite by its SDES name (case as registered).
    public init?(sdesName: String) {
        self.init(rawValue: sdesName)
    }

    /// Whether the suite is an AEAD cipher (GCM): no separate authentication key, the tag comes from the cipher.
    public var isAEAD: Bool {
        switch self {
        case .aeadAES128GCM, .aeadAES256GCM: return true
        default: return false
        }
    }

    /// Bytes of master (and session) encryption key.
    public var keyLength: Int {
        switch self {
        case .aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32, .aeadAES128GCM: return 16
        case .aes256CMHMACSHA1_80, .aes256CMHMACSHA1_32, .aeadAES256GCM: return 32
        }
    }

    /// Bytes of master (and session) salt: 14 for counter mode, 12 for GCM.
    public var saltLength: Int { isAEAD ? 12 : 14 }

    /// Bytes of the `inline:` key parameter once decoded: the master key followed by the master salt.
    public var keyAndSaltLength: Int { keyLength + saltLength }

    /// Bytes of the session authentication key (HMAC-SHA1's 160 bits; none for GCM).
    var authenticationKeyLength: Int { isAEAD ? 0 : 20 }

    /// Bytes of the tag appended to each SRTP packet.
    public var rtpTagLength: Int {
        switch self {
        case .aesCM128HMACSHA1_80, .aes256CMHMACSHA1_80: return 10
        case .aesCM128HMACSHA1_32, .aes256CMHMACSHA1_32: return 4
        case .aeadAES128GCM, .aeadAES256GCM: return 16
        }
    }

    /// Bytes of the tag appended to each SRTCP packet: the 32-bit suites keep 80 bits on RTCP (RFC 4568 §6.2.2).
    public var rtcpTagLength: Int { isAEAD ? 16 : 10 }
}
