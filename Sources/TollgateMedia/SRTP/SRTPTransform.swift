import CTollgateSRTP
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The cipher and authentication of one direction's RTP or RTCP under one set of session keys:
/// AES-CM with HMAC-SHA1 (RFC 3711 §4.1.1, §4.2.1), or AES-GCM (RFC 7714). Works on bytes in place.
struct SRTPTransform: Sendable {
    let profile: SRTPProtectionProfile
    /// The session salt, as the first bytes of a block.
    let salt: SRTPBlock
    private let counterMode: AESCounterMode?
    private let gcmKey: SymmetricKey?
    /// The GCM key for the processor's instructions, where it has them (else swift-crypto's `AES.GCM`).
    private let fastGCM: SecretKeyMemory<tg_gcm_key>?
    private let authenticationKey: HMACSHA1Key?

    init(profile: SRTPProtectionProfile, keys: SRTPSessionKeys) {
        self.profile = profile
        self.salt = SRTPBlock(salt: keys.salt)
        if profile.isAEAD {
            counterMode = nil
            gcmKey = SymmetricKey(data: keys.encryptionKey)
            fastGCM = SecretKeyMemory(gcm: keys.encryptionKey)
            authenticationKey = nil
        } else {
            counterMode = AESCounterMode(key: keys.encryptionKey)
            gcmKey = nil
            fastGCM = nil
            authenticationKey = HMACSHA1Key(keys.authenticationKey)
        }
    }

    // MARK: - Counter mode and HMAC-SHA1

    /// The counter block `(salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16)` (RFC 3711 §4.1.1).
    func counterBlock(ssrc: UInt32, index: UInt64) -> SRTPBlock {
        var block = salt
        block.high ^= UInt64(ssrc)
        block.low ^= index << 16
        return block
    }

    /// Encrypts or decrypts `bytes` in counter mode.
    func applyKeystream(to bytes: UnsafeMutableRawBufferPointer, ssrc: UInt32, index: UInt64) {
        counterMode?.apply(to: bytes, counterBlock: counterBlock(ssrc: ssrc, index: index))
    }

    /// Writes HMAC-SHA1(`authenticated` ‖ `rolloverCounter` if given), cut to `tag.count` bytes, into `tag`.
    func writeTag(over authenticated: UnsafeRawBufferPointer, rolloverCounter: UInt32?, into tag: UnsafeMutableRawBufferPointer) {
        withCode(over: authenticated, rolloverCounter: rolloverCounter) { code in
            tag.copyMemory(from: UnsafeRawBufferPointer(rebasing: code.prefix(tag.count)))
        }
    }

    /// Whether `tag` is the HMAC of `authenticated` (‖ `rolloverCounter`), compared in constant time.
    func verifyTag(over authenticated: UnsafeRawBufferPointer, rolloverCounter: UInt32?, tag: UnsafeRawBufferPointer) -> Bool {
        withCode(over: authenticated, rolloverCounter: rolloverCounter) { code in
            var difference: UInt8 = 0
            for offset in 0..<min(tag.count, code.count) { difference |= code[offset] ^ tag[offset] }
            return difference == 0 && tag.count <= code.count
        } ?? false
    }

    private func withCode<Result>(over authenticated: UnsafeRawBufferPointer, rolloverCounter: UInt32?,
                                  _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard let authenticationKey else { return nil }
        guard let rolloverCounter else { return authenticationKey.withCode(of: authenticated, suffix: nil, body) }
        return withUnsafeBytes(of: rolloverCounter.bigEndian) { roc in authenticationKey.withCode(of: authenticated, suffix: roc, body) }
    }

    // MARK: - GCM

    /// The 12-byte GCM nonce for RTP: `(0 0 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt` (RFC 7714 §8.1).
    func rtpNonce(ssrc: UInt32, rolloverCounter: UInt32, sequence: UInt16) -> SRTPBlock {
        var block = salt
        block.high ^= UInt64(ssrc) << 16 | UInt64(rolloverCounter >> 16)
        block.low ^= (UInt64(rolloverCounter & 0xFFFF) << 48) | (UInt64(sequence) << 32)
        return block
    }

    /// The 12-byte GCM nonce for RTCP: `(0 0 ‖ SSRC ‖ 0 0 ‖ 0 ‖ index) XOR salt` (RFC 7714 §9.1).
    func rtcpNonce(ssrc: UInt32, index: UInt32) -> SRTPBlock {
        var block = salt
        block.high ^= UInt64(ssrc) << 16
        block.low ^= UInt64(index & 0x7FFF_FFFF) << 32
        return block
    }

    /// Encrypts `plaintext` in place and writes the 16-byte tag into `tag`; the additional data is
    /// `header` followed by `trailer` (SRTCP's E flag and index).
    func seal(_ plaintext: UnsafeMutableRawBufferPointer, authenticating header: UnsafeRawBufferPointer, trailer: UnsafeRawBufferPointer? = nil,
              nonce: SRTPBlock, tag: UnsafeMutableRawBufferPointer) {
        if let fastGCM {
            nonce.withUnsafeBytes { nonceBytes in
                tg_gcm_seal(fastGCM.key, nonceBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), Self.bytes(header), header.count,
                            Self.bytes(trailer), trailer?.count ?? 0, plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self),
                            plaintext.count, tag.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            return
        }
        guard let gcmKey, let gcmNonce = nonce.withUnsafeBytes({ try? AES.GCM.Nonce(data: UnsafeRawBufferPointer(rebasing: $0.prefix(12))) })
        else { return }
        let aad = Array(header) + (trailer.map(Array.init) ?? [])
        guard let box = try? AES.GCM.seal(UnsafeRawBufferPointer(plaintext), using: gcmKey, nonce: gcmNonce, authenticating: aad) else { return }
        box.ciphertext.withUnsafeBytes { plaintext.copyMemory(from: $0) }
        box.tag.withUnsafeBytes { tag.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(tag.count))) }
    }

    /// Checks the tag and decrypts `ciphertext` in place; false (the bytes untouched) when the tag does not match.
    func open(_ ciphertext: UnsafeMutableRawBufferPointer, authenticating header: UnsafeRawBufferPointer, trailer: UnsafeRawBufferPointer? = nil,
              nonce: SRTPBlock, tag: UnsafeRawBufferPointer) -> Bool {
        if let fastGCM {
            guard tag.count == 16 else { return false }
            return nonce.withUnsafeBytes { nonceBytes in
                tg_gcm_open(fastGCM.key, nonceBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), Self.bytes(header), header.count,
                            Self.bytes(trailer), trailer?.count ?? 0, ciphertext.baseAddress?.assumingMemoryBound(to: UInt8.self),
                            ciphertext.count, tag.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
            }
        }
        let aad = Array(header) + (trailer.map(Array.init) ?? [])
        guard let gcmKey, let gcmNonce = nonce.withUnsafeBytes({ try? AES.GCM.Nonce(data: UnsafeRawBufferPointer(rebasing: $0.prefix(12))) }),
              let box = try? AES.GCM.SealedBox(nonce: gcmNonce, ciphertext: UnsafeRawBufferPointer(ciphertext), tag: tag),
              let plaintext = try? AES.GCM.open(box, using: gcmKey, authenticating: aad)
        else { return false }
        plaintext.withUnsafeBytes { ciphertext.copyMemory(from: $0) }
        return true
    }

    private static func bytes(_ buffer: UnsafeRawBufferPointer?) -> UnsafePointer<UInt8>? {
        buffer?.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}
