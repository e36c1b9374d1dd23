/// An IPv4 or IPv6 address as one 128-bit value: IPv4 addresses are kept as IPv4-mapped IPv6
/// (`::ffff:a.b.c.d`), so one value covers both families, compares in one step and hashes cheaply.
///
/// Shield keys its limits and bans on it, the configuration's address ranges match on it, and the
/// store keeps its ``description``. The parser is strict: dotted-quad IPv4 without leading zeros
/// (which some stacks read as octal) and IPv6 in the RFC 4291 §2.2 text forms (eight groups, one
/// `::`, a trailing dotted quad); ``description`` is the RFC 5952 canonical text, and an
/// IPv4-mapped address is written as the IPv4 address it carries.
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The high and low 64 bits of the IPv6 (or IPv4-mapped) address, network order.
    public let high: UInt64
    public let low: UInt64

    /// The IPv4-mapped prefix `::ffff:0:0/96` in the low word.
    static let mappedLowPrefix: UInt64 = 0x0000_FFFF_0000_0000

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address, given in host order (`0x7F000001` is 127.0.0.1).
    public init(ipv4 value: UInt32) {
        self.init(high: 0, low: Self.mappedLowPrefix | UInt64(value))
    }

    /// An address from its 4 (IPv4) or 16 (IPv6) network-order bytes.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4:
            self.init(ipv4: bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            self.init(high: high, low: low)
        default:
            return nil
        }
    }

    /// An IPv6 address from its 16 network-order bytes.
    public init?(ipv6 bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        self.init(bytes: bytes)
    }

    /// Parses an IPv4 or IPv6 address written bare: no brackets, no zone.
    public init?(parsing text: some StringProtocol) {
        if let bytes = Self.parseIPv4(text) {
            self.init(bytes: bytes)
        } else if let bytes = Self.parseIPv6(text) {
            self.init(bytes: bytes)
        } else {
            return nil
        }
    }

    /// Parses an address as it appears in SIP and on command lines: IPv6 may be in brackets; `nil`
    /// for anything else, host names and zones (`fe80::1%eth0`) included.
    public init?(_ text: some StringProtocol) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        self.init(parsing: text)
    }

    /// Whether this is an IPv4 address (stored mapped).
    public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The IPv4 address in host order, if it is one.
    public var ipv4: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: low) : nil }

    /// The address length in bits: 32 for IPv4, 128 for IPv6.
    public var bitWidth: Int { isIPv4 ? 32 : 128 }

    /// The network-order bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        if let v4 = ipv4 { return [UInt8(v4 >> 24), UInt8(v4 >> 16 & 0xFF), UInt8(v4 >> 8 & 0xFF), UInt8(v4 & 0xFF)] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for word in [high, low] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return bytes
    }

    /// Whether this is a loopback address: `127.0.0.0/8` or `::1`.
    public var isLoopback: Bool {
        if let v4 = ipv4 { return v4 >> 24 == 127 }
        return high == 0 && low == 1
    }

    /// Whether this is the unspecified ("any") address, `0.0.0.0` or `::`.
    public var isUnspecified: Bool { (high == 0 && low == 0) || (isIPv4 && ipv4 == 0) }

    /// Dotted quad for IPv4, RFC 5952 text for IPv6 (lower case, the longest run of zero groups compressed).
    public var description: String {
        if let v4 = ipv4 {
            return "\(v4 >> 24).\(v4 >> 16 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 & 0xFF)"
        }
        var groups: [UInt16] = []
        for word in [high, low] {
            for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        // The longest run of two or more zero groups becomes "::" (the first one on a tie).
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
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

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    // MARK: - Parsing

    /// Parses a dotted-quad IPv4 address into four bytes; leading zeros are refused.
    public static func parseIPv4(_ text: some StringProtocol) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        var value = 0
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digits == 1 && value == 0 { return nil }  // leading zero: "01" is octal to some stacks
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                if value > 255 { return nil }
            case UInt8(ascii: "."):
                guard digits > 0, bytes.count < 3 else { return nil }
                bytes.append(UInt8(value))
                value = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0, bytes.count == 3 else { return nil }
        bytes.append(UInt8(value))
        return bytes
    }

    /// Parses an IPv6 address (RFC 4291 §2.2 text forms) into sixteen bytes.
    public static func parseIPv6(_ text: some StringProtocol) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count >= 2, chars.count <= 45 else { return nil }
        let colon = UInt8(ascii: ":")
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var compressed = false
        var index = 0

        func append(_ group: UInt16) {
            if compressed { tail.append(group) } else { head.append(group) }
        }

        if chars[0] == colon {
            guard chars[1] == colon else { return nil }
            compressed = true
            index = 2
        }
        while index < chars.count {
            let start = index
            var value: UInt32 = 0
            while index < chars.count, let digit = hexValue(chars[index]) {
                value = value << 4 | UInt32(digit)
                index += 1
                if index - start > 4 { break }
            }
            if index < chars.count, chars[index] == UInt8(ascii: ".") {
                // A dotted-quad tail stands for the last two groups.
                guard let v4 = parseIPv4(String(decoding: chars[start...], as: UTF8.self)) else { return nil }
                append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                index = chars.count
                break
            }
            let length = index - start
            guard length >= 1, length <= 4 else { return nil }
            append(UInt16(value))
            if index == chars.count { break }
            guard chars[index] == colon else { return nil }
            index += 1
            if index < chars.count, chars[index] == colon {
                guard !compressed else { return nil }  // at most one "::"
                compressed = true
                index += 1
            } else if index == chars.count {
                return nil  // a single trailing ':'
            }
        }
        let count = head.count + tail.count
        if compressed {
            guard count <= 7 else { return nil }
        } else {
            guard count == 8 else { return nil }
        }
        let groups = head + Array(repeating: 0, count: 8 - count) + tail
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for group in groups {
            bytes.append(UInt8(group >> 8))
            bytes.append(UInt8(group & 0xff))
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
