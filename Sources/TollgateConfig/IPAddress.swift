/// An IPv4 or IPv6 address as network-order bytes, with a strict textual parser.
///
/// The parser accepts dotted-quad IPv4 (no leading zeros, which some stacks read as octal) and
/// IPv6 in the RFC 4291 §2.2 forms: eight groups, `::` compression, and a trailing dotted-quad.
/// It rejects brackets, zone identifiers and everything else; callers strip those first.
enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// Four bytes.
    case v4([UInt8])
    /// Sixteen bytes.
    case v6([UInt8])

    /// Parses an IPv4 or IPv6 address (no brackets, no zone).
    init?(parsing text: some StringProtocol) {
        if let bytes = Self.parseIPv4(text) {
            self = .v4(bytes)
        } else if let bytes = Self.parseIPv6(text) {
            self = .v6(bytes)
        } else {
            return nil
        }
    }

    /// The address bytes, 4 or 16 of them.
    var bytes: [UInt8] {
        switch self {
        case .v4(let bytes), .v6(let bytes): bytes
        }
    }

    /// The address length in bits: 32 or 128.
    var bitWidth: Int {
        bytes.count * 8
    }

    /// Whether this is the unspecified ("any") address `0.0.0.0` or `::`.
    var isUnspecified: Bool {
        bytes.allSatisfy { $0 == 0 }
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it carries; otherwise itself.
    var unmapped: IPAddress {
        guard case .v6(let bytes) = self,
            bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff
        else { return self }
        return .v4(Array(bytes[12..<16]))
    }

    /// Dotted-quad IPv4, or IPv6 in the RFC 5952 canonical form (lower case, longest zero run compressed).
    var description: String {
        switch self {
        case .v4(let bytes):
            return bytes.map { String($0) }.joined(separator: ".")
        case .v6(let bytes):
            return Self.formatIPv6(bytes)
        }
    }

    /// Parses a dotted-quad IPv4 address into four bytes.
    static func parseIPv4(_ text: some StringProtocol) -> [UInt8]? {
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
    static func parseIPv6(_ text: some StringProtocol) -> [UInt8]? {
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

    private static func formatIPv6(_ bytes: [UInt8]) -> String {
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        // IPv4-mapped addresses keep their dotted tail (RFC 5952 §5).
        if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xffff {
            return "::ffff:" + bytes[12..<16].map { String($0) }.joined(separator: ".")
        }
        // The longest run of two or more zero groups, the first one on a tie.
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                let length = index - runStart
                if length > bestLength {
                    bestStart = runStart
                    bestLength = length
                }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestLength >= 2 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
