#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension UnsafeBufferPointer where Element == UInt8 {
    /// The index of the first `byte` in `start..<end`, or `nil`; uses the C library's vectorised `memchr`.
    @inline(__always)
    func firstIndex(of byte: UInt8, from start: Int, to end: Int) -> Int? {
        guard start < end, let base = baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}

/// Byte searches for quick tests on header values and bodies.
public enum SIPByteSearch {
    /// Whether `haystack` may hold `needle`, ignoring the case of ASCII letters.
    ///
    /// A match is never missed. A needle without letters (an IP address) is looked for exactly, with
    /// the C library's `memchr` and `memcmp`. Otherwise bytes are compared with bit 0x20 set, so a byte that
    /// differs from the needle's only in that bit also matches (`@` for `` ` ``): a cheap test that
    /// rules most values out before they are parsed or rewritten, not a final answer.
    public static func mayContain(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        needle.withUnsafeBufferPointer { needle in
            guard let first = needle.first, needle.count <= haystack.count, let base = haystack.baseAddress else { return false }
            // A needle without letters (an IPv4 address) has no case: its first byte is looked for
            // with `memchr` and the rest compared with `memcmp`; an exact match is the only kind there can be.
            if !needle.contains(where: { $0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A }), let needleBase = needle.baseAddress {
                var start = 0
                let end = haystack.count - needle.count + 1
                while let found = haystack.firstIndex(of: first, from: start, to: end) {
                    if memcmp(base + found, needleBase, needle.count) == 0 { return true }
                    start = found + 1
                }
                return false
            }
            let last = haystack.count - needle.count
            var index = 0
            while index <= last {
                if haystack[index] | 0x20 == first | 0x20 {
                    var offset = 1
                    while offset < needle.count, haystack[index + offset] | 0x20 == needle[offset] | 0x20 { offset += 1 }
                    if offset == needle.count { return true }
                }
                index += 1
            }
            return false
        }
    }

    /// ``mayContain(_:in:)`` over a string's UTF-8.
    public static func mayContain(_ needle: [UInt8], in text: String) -> Bool {
        var text = text
        return text.withUTF8 { mayContain(needle, in: $0) }
    }
}
