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
    /// A match is never missed. Bytes are compared with bit 0x20 set, so a byte that differs from
    /// the needle's only in that bit also matches (`@` for `` ` ``, a control character for a digit
    /// or `.`): a cheap test that rules most values out before they are parsed or rewritten, not a
    /// final answer.
    public static func mayContain(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
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

    /// ``mayContain(_:in:)`` over a string's UTF-8.
    public static func mayContain(_ needle: [UInt8], in text: String) -> Bool {
        var text = text
        return text.withUTF8 { mayContain(needle, in: $0) }
    }
}
