import CTollgateSRTP
import Crypto
import CryptoExtras

/// AES in counter mode (RFC 3711 §4.1.1) over bytes in place: the keystream starts at a full
/// 16-byte counter block, whose last bytes count the blocks. On processors with AES instructions the
/// key is expanded once and each packet costs no allocation (`CTollgateSRTP`); elsewhere it goes
/// through swift-crypto's `AES._CTR`.
struct AESCounterMode: Sendable {
    private let schedule: SecretKeyMemory<tg_aes_key>?
    private let key: SymmetricKey

    /// - Parameter key: 16 or 32 bytes (24 works through swift-crypto only).
    init(key: some Collection<UInt8>) {
        let bytes = Array(key)
        self.key = SymmetricKey(data: bytes)
        self.schedule = SecretKeyMemory(aes: bytes)
    }

    /// XORs the keystream that starts at `counterBlock` into `bytes`.
    func apply(to bytes: UnsafeMutableRawBufferPointer, counterBlock: SRTPBlock) {
        guard bytes.count > 0, let base = bytes.baseAddress else { return }
        if let schedule {
            counterBlock.withUnsafeBytes { iv in
                tg_aes_ctr_xor(schedule.key, iv.baseAddress!.assumingMemoryBound(to: UInt8.self), base.assumingMemoryBound(to: UInt8.self),
                               bytes.count)
            }
            return
        }
        // The counter block is always 16 bytes and the key 16, 24 or 32 (checked by the profile), so neither throws.
        guard let nonce = counterBlock.withUnsafeBytes({ try? AES._CTR.Nonce(nonceBytes: $0) }),
              let output = try? AES._CTR.encrypt(UnsafeRawBufferPointer(bytes), using: key, nonce: nonce)
        else { return }
        output.withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    /// The first `count` bytes of keystream from `counterBlock` (key derivation, RFC 3711 §4.3).
    func keystream(count: Int, counterBlock: SRTPBlock) -> [UInt8] {
        var stream = [UInt8](repeating: 0, count: count)
        stream.withUnsafeMutableBytes { apply(to: $0, counterBlock: counterBlock) }
        return stream
    }
}

/// An HMAC-SHA1 key with its pads already hashed, wiped when it goes.
final class HMACSHA1Key: Sendable {
    private let memory: SecretKeyMemory<tg_hmac_sha1_key>

    init?(_ bytes: [UInt8]) {
        guard let memory = SecretKeyMemory<tg_hmac_sha1_key>({ key in
            tg_hmac_sha1_set_key(key, bytes, bytes.count)
            return 0
        }) else { return nil }
        self.memory = memory
    }

    /// Runs `body` over HMAC-SHA1(`message` ‖ `suffix`), 20 bytes on the stack.
    func withCode<Result>(of message: UnsafeRawBufferPointer, suffix: UnsafeRawBufferPointer?,
                          _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { mac in
            tg_hmac_sha1(memory.key, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                         suffix?.baseAddress?.assumingMemoryBound(to: UInt8.self), suffix?.count ?? 0, mac.baseAddress!)
            return body(UnsafeRawBufferPointer(mac))
        }
    }
}

/// A 16-byte block held as a 128-bit big-endian number: an AES counter block, or a GCM nonce in its
/// first 12 bytes. Kept in two words so that building one per packet allocates nothing.
struct SRTPBlock: Sendable, Hashable {
    /// Bytes 0–7.
    var high: UInt64
    /// Bytes 8–15.
    var low: UInt64

    /// A block whose first bytes are `salt` (at most 16), the rest zero.
    init(salt: some Collection<UInt8>) {
        high = 0
        low = 0
        for (offset, byte) in salt.prefix(16).enumerated() {
            if offset < 8 { high |= UInt64(byte) << (8 * UInt64(7 - offset)) } else { low |= UInt64(byte) << (8 * UInt64(15 - offset)) }
        }
    }

    /// Runs `body` over the block's 16 bytes in order.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var words = (high.bigEndian, low.bigEndian)
        return try Swift.withUnsafeBytes(of: &words, body)
    }

}
