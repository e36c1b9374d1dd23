import CTollgateSRTP
import Crypto
import CryptoExtras
import Foundation
import Testing
import TollgateTestSupport

/// Tollgate's in-place AES counter mode and HMAC-SHA1 (the SRTP fast path) against swift-crypto's.
@Suite("SRTP primitives against swift-crypto")
struct SRTPPrimitiveTests {
    static func random(_ count: Int, _ generator: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test("SHA-1 matches swift-crypto for every length up to 300 bytes, on the SHA instructions and in portable code",
          arguments: [false, true])
    func sha1(portable: Bool) {
        tg_sha1_force_portable(portable ? 1 : 0)
        defer { tg_sha1_force_portable(0) }
        var generator = SeededGenerator(seed: 1)
        for length in 0...300 {
            let data = Self.random(length, &generator)
            var digest = [UInt8](repeating: 0, count: 20)
            tg_sha1(data, data.count, &digest)
            #expect(digest == Array(Insecure.SHA1.hash(data: data)), "length \(length)")
        }
    }

    @Test("HMAC-SHA1 matches swift-crypto, keys short and longer than a block, the message in two parts", arguments: [false, true])
    func hmac(portable: Bool) {
        tg_sha1_force_portable(portable ? 1 : 0)
        defer { tg_sha1_force_portable(0) }
        var generator = SeededGenerator(seed: 2)
        for round in 0..<300 {
            let key = Self.random([0, 1, 20, 63, 64, 65, 100][round % 7], &generator)
            let first = Self.random(Int.random(in: 0...250, using: &generator), &generator)
            let second = Self.random([0, 4][round % 2], &generator)
            var prepared = tg_hmac_sha1_key()
            tg_hmac_sha1_set_key(&prepared, key, key.count)
            var mac = [UInt8](repeating: 0, count: 20)
            tg_hmac_sha1(&prepared, first, first.count, second, second.count, &mac)
            let expected = HMAC<Insecure.SHA1>.authenticationCode(for: first + second, using: SymmetricKey(data: key))
            #expect(mac == Array(expected), "round \(round)")
        }
    }

    @Test("AES-128 and AES-256 counter mode match swift-crypto, counters that carry included", .enabled(if: tg_aes_available() != 0))
    func aesCounterMode() throws {
        var generator = SeededGenerator(seed: 3)
        for round in 0..<400 {
            let keyBytes = Self.random(round % 2 == 0 ? 16 : 32, &generator)
            var iv = Self.random(16, &generator)
            if round % 5 == 0 { for index in 8..<16 { iv[index] = 0xFF } }  // the low word overflows into the high one
            if round % 7 == 0 { for index in 12..<16 { iv[index] = 0xFF } }
            let plaintext = Self.random(Int.random(in: 0...300, using: &generator), &generator)
            var key = tg_aes_key()
            #expect(tg_aes_set_key(&key, keyBytes, keyBytes.count) == 0)
            var data = plaintext
            data.withUnsafeMutableBytes { bytes in
                tg_aes_ctr_xor(&key, iv, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
            }
            let expected = try AES._CTR.encrypt(plaintext, using: SymmetricKey(data: keyBytes), nonce: AES._CTR.Nonce(nonceBytes: iv))
            #expect(data == Array(expected), "round \(round), \(plaintext.count) bytes")
        }
    }

    @Test("AES-GCM (128 and 256) matches swift-crypto: additional data in two parts, any length; a wrong tag leaves the data as it was",
          .enabled(if: tg_gcm_available() != 0))
    func gcm() throws {
        var generator = SeededGenerator(seed: 4)
        for round in 0..<300 {
            let keyBytes = Self.random(round % 2 == 0 ? 16 : 32, &generator)
            let nonce = Self.random(12, &generator)
            let aad = Self.random(Int.random(in: 0...40, using: &generator), &generator)
            let aad2 = Self.random([0, 4][round % 2], &generator)
            let plaintext = Self.random(Int.random(in: 0...300, using: &generator), &generator)
            var key = tg_gcm_key()
            #expect(tg_gcm_set_key(&key, keyBytes, keyBytes.count) == 0)
            var data = plaintext
            var tag = [UInt8](repeating: 0, count: 16)
            data.withUnsafeMutableBufferPointer { bytes in
                tg_gcm_seal(&key, nonce, aad, aad.count, aad2, aad2.count, bytes.baseAddress, bytes.count, &tag)
            }
            let box = try AES.GCM.seal(plaintext, using: SymmetricKey(data: keyBytes), nonce: AES.GCM.Nonce(data: nonce), authenticating: aad + aad2)
            #expect(data == Array(box.ciphertext) && tag == Array(box.tag), "round \(round)")
            var opened = data
            #expect(opened.withUnsafeMutableBufferPointer { tg_gcm_open(&key, nonce, aad, aad.count, aad2, aad2.count, $0.baseAddress, $0.count, tag) } == 0)
            #expect(opened == plaintext)
            var forged = tag
            forged[round % 16] ^= 1
            var untouched = data
            #expect(untouched.withUnsafeMutableBufferPointer { tg_gcm_open(&key, nonce, aad, aad.count, aad2, aad2.count, $0.baseAddress, $0.count, forged) } == -1)
            #expect(untouched == data)
        }
    }

    @Test("a key of another length is refused")
    func badKeyLength() {
        var key = tg_aes_key()
        #expect(tg_aes_set_key(&key, [UInt8](repeating: 1, count: 24), 24) == -1)
    }
}
