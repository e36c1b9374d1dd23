import Testing

@testable import TollgateMedia

@Suite("SRTP test vectors: RFC 3711 Appendix B and libsrtp's own packets")
struct SRTPVectorTests {
    @Test("AES-CM keystream matches RFC 3711 B.2")
    func keystream() {
        let cipher = AESCounterMode(key: Hex.bytes("2B7E151628AED2A6ABF7158809CF4F3C"))
        let stream = cipher.keystream(count: 48, counterBlock: SRTPBlock(salt: Hex.bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD")))
        #expect(Hex.text(stream) == "e03ead0935c95e80e166b16dd92b4eb4" + "d23513162b02d0f72a43a2fe4a5f97ab" + "41e95b3bb0a2e8dd477901e4fca894c0")
        // The block counter runs across the last two bytes: FEFF, FF00, FF01.
        let late = cipher.keystream(count: 48, counterBlock: SRTPBlock(salt: Hex.bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF")))
        #expect(Hex.text(late) == "ec8cdf7398607cb0f2d21675ea9ea1e4" + "362b7c3c6773516318a077d7fc5073ae" + "6a2cc3787889374fbeb4c81b17ba6c44")
    }

    @Test("session keys match RFC 3711 B.3 key derivation")
    func keyDerivation() {
        let keys = SRTPSessionKeys(profile: .aesCM128HMACSHA1_80, masterKey: Hex.bytes("E1F97A0D3E018BE0D64FA32C06DE4139"),
                                   masterSalt: Hex.bytes("0EC675AD498AFEEBB6960B3AABE6"), rtcp: false)
        #expect(Hex.text(keys.encryptionKey) == "c61e7a93744f39ee10734afe3ff7a087")
        #expect(Hex.text(keys.salt) == "30cbbc08863d8c85d49db34a9ae1")
        #expect(Hex.text(keys.authenticationKey) == "cebe321f6ff7716b6fd4ab49af256a156d38baa4")
    }

    /// The packet libsrtp's `srtp_validate()` checks: the B.3 master key, SSRC 0xCAFEBABE, sequence
    /// 0x1234, 16 bytes of 0xAB.
    static let masterKey = Hex.bytes("e1f97a0d3e018be0d64fa32c06de4139" + "0ec675ad498afeebb6960b3aabe6")
    static let plaintext = Hex.bytes("800f1234decafbadcafebabe" + "abababababababababababababababab")

    @Test("an SRTP packet protects to libsrtp's bytes, and back")
    func libsrtpPacket() throws {
        let key = try SRTPMasterKey(profile: .aesCM128HMACSHA1_80, keyAndSalt: Self.masterKey)
        var sender = SRTPContext(key: key)
        var packet = Self.plaintext
        try sender.protectRTP(&packet)
        #expect(Hex.text(packet) == "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb")
        var receiver = SRTPContext(key: key)
        try receiver.unprotectRTP(&packet)
        #expect(packet == Self.plaintext)
    }

    @Test("an SRTCP packet from libsrtp unprotects")
    func libsrtpControlPacket() throws {
        let key = try SRTPMasterKey(profile: .aesCM128HMACSHA1_80, keyAndSalt: Self.masterKey)
        // libsrtp numbers its first SRTCP packet 1 (E flag set: 0x80000001).
        var packet = Hex.bytes("81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798")
        var receiver = SRTPContext(key: key)
        try receiver.unprotectRTCP(&packet)
        #expect(Hex.text(packet) == "81c8000bcafebabeabababababababababababababababab")
    }
}
