/// A transport source address as a compact, hashable key: IPv4 addresses are kept as IPv4-mapped
/// IPv6 (`::ffff:a.b.c.d`), so one 128-bit value covers both families and lookups cost one hash.
///
/// This is what Shield limits and bans: always the address the packet came from (or, behind a
/// configured trusted proxy, the address that proxy recorded), never a value from a header.
public struct SourceAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The high and low 64 bits of the IPv6 (or IPv4-mapped) address, network order.
    public let high: UInt64
    public let low: UInt64

    /// The IPv4-mapped prefix `::ffff:0:0/96` in the high and low words.
    static let mappedLowPrefix: UInt64 = 0x0000_FFFF_0000_0000

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address, given in host order (`0x7F000001` is 127.0.0.1).
    public init(ipv4 value: UInt32) {
        self.init(high: 0, low: Self.mappedLowPrefix | UInt64(value))
    }

    /// An IPv6 address from its 16 network-order bytes.
    public init?(ipv6 bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// Parses an IPv4 or IPv6 literal (IPv6 may be in brackets); `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let v4 = Self.parseIPv4(text.utf8) {
            self.init(ipv4: v4)
        } else if let bytes = Self.parseIPv6(text) {
            self.init(ipv6: bytes)
        } else {
            return nil
        }
    }

    /// Whether this is an IPv4 address (stored mapped).
    public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The IPv4 address in host order, if it is one.
    public var ipv4: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: low) : nil }

    /// Dotted quad for IPv4, RFC 5952 text for IPv6.
    public var description: String {
        if let v4 = ipv4 {
            return "\(v4 >> 24).\(v4 >> 16 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 & 0xFF)"
        }
        var groups: [UInt16] = []
        for word in [high, low] {
            for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        // The longest run of two or more zero groups becomes "::" (first one on a tie).
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    public static func < (lhs: SourceAddress, rhs: SourceAddress) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    static func parseIPv4(_ utf8: Substring.UTF8View) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                octet = 0
                digits = 0
                dots += 1
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                // No leading zeros: "010" is octal to some stacks.
                if digits == 1, octet == 0 { return nil }
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":"), !text.contains(":::"), text.utf8.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var index = 0
        // A leading "::" gives two empty parts, a trailing one two as well.
        if parts.first == "" {
            guard parts.count > 1, parts[1] == "" else { return nil }
        }
        if parts.last == "" {
            guard parts.count > 1, parts[parts.count - 2] == "" else { return nil }
        }
        var extra: [UInt16] = []
        while index < parts.count {
            let part = parts[index]
            if part.isEmpty {
                if !sawGap {
                    sawGap = true
                    // Skip the empty parts that make up this "::".
                    while index + 1 < parts.count, parts[index + 1].isEmpty { index += 1 }
                    index += 1
                    continue
                }
                guard index == parts.count - 1 || parts[index + 1].isEmpty else { return nil }
                index += 1
                continue
            }
            if part.contains(".") {
                guard index == parts.count - 1, let v4 = parseIPv4(part.utf8) else { return nil }
                extra = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                index += 1
                continue
            }
            guard part.utf8.count <= 4, let group = UInt16(part, radix: 16) else { return nil }
            if sawGap { tail.append(group) } else { head.append(group) }
            index += 1
        }
        if sawGap { tail += extra } else { head += extra }
        let total = head.count + tail.count
        if sawGap {
            guard total < 8 else { return nil }
        } else {
            guard total == 8 else { return nil }
        }
        let groups = head + Array(repeating: 0, count: 8 - total) + tail
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
