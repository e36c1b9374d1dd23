import CTollgateSRTP

/// A key prepared for `CTollgateSRTP` (an expanded AES key, a GCM key, HMAC states), in 16-byte
/// aligned memory of its own that is wiped when the key goes. Made only when its setter succeeds.
final class SecretKeyMemory<Key>: @unchecked Sendable {
    let key: UnsafeMutablePointer<Key>

    /// Allocates the key's memory and fills it with `set`, which returns 0 on success; nil otherwise.
    init?(_ set: (UnsafeMutablePointer<Key>) -> Int32) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<Key>.stride, alignment: max(16, MemoryLayout<Key>.alignment))
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Key>.stride)
        key = raw.bindMemory(to: Key.self, capacity: 1)
        guard set(key) == 0 else {
            raw.deallocate()
            return nil
        }
    }

    deinit {
        UnsafeMutableRawPointer(key).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Key>.stride)
        UnsafeMutableRawPointer(key).deallocate()
    }
}

extension SecretKeyMemory where Key == tg_aes_key {
    /// An AES key expanded for the processor's AES instructions; nil where they are missing or for a 24-byte key.
    convenience init?(aes bytes: [UInt8]) {
        guard tg_aes_available() != 0 else { return nil }
        self.init { tg_aes_set_key($0, bytes, bytes.count) }
    }
}

extension SecretKeyMemory where Key == tg_gcm_key {
    /// An AES-GCM key for the AES and carry-less multiply instructions; nil where they are missing.
    convenience init?(gcm bytes: [UInt8]) {
        guard tg_gcm_available() != 0 else { return nil }
        self.init { tg_gcm_set_key($0, bytes, bytes.count) }
    }
}
