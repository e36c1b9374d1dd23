/// The session keys of one direction of an SRTP stream, derived from the master key and salt by
/// the AES-CM key derivation function (RFC 3711 §4.3, with a key derivation rate of zero; the same
/// function for AES-256 (RFC 6188 §3) and for GCM (RFC 7714 §11)).
struct SRTPSessionKeys: Sendable {
    /// The key derivation labels (RFC 3711 §4.3.2).
    enum Label: UInt8 {
        case rtpEncryption = 0x00
        case rtpAuthentication = 0x01
        case rtpSalt = 0x02
        case rtcpEncryption = 0x03
        case rtcpAuthentication = 0x04
        case rtcpSalt = 0x05
    }

    let encryptionKey: [UInt8]
    let authenticationKey: [UInt8]
    let salt: [UInt8]

    /// Derives RTP's (`rtcp == false`) or RTCP's session keys.
    ///
    /// - Precondition: `masterKey` and `masterSalt` have the profile's lengths (checked by ``SRTPMasterKey``).
    init(profile: SRTPProtectionProfile, masterKey: [UInt8], masterSalt: [UInt8], rtcp: Bool) {
        let prf = AESCounterMode(key: masterKey)
        func derive(_ label: Label, count: Int) -> [UInt8] {
            guard count > 0 else { return [] }
            return prf.keystream(count: count, counterBlock: Self.derivationBlock(label: label, masterSalt: masterSalt))
        }
        encryptionKey = derive(rtcp ? .rtcpEncryption : .rtpEncryption, count: profile.keyLength)
        authenticationKey = derive(rtcp ? .rtcpAuthentication : .rtpAuthentication, count: profile.authenticationKeyLength)
        salt = derive(rtcp ? .rtcpSalt : .rtpSalt, count: profile.saltLength)
    }

    /// `(label · 2^48 XOR master_salt) · 2^16` with the index term zero (key derivation rate 0). A 12-byte
    /// GCM master salt is padded with zero bytes to the 14 the function takes.
    static func derivationBlock(label: Label, masterSalt: [UInt8]) -> SRTPBlock {
        var block = SRTPBlock(salt: masterSalt)
        // The 56-bit key_id (label, then 48 zero bits) is XORed into the last seven of the salt's 14 bytes.
        block.high ^= UInt64(label.rawValue)
        return block
    }
}
