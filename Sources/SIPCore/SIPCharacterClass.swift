/// Character classes of the RFC 3261 grammar (§25.1), as byte predicates backed by one lookup table.
///
/// Every scanner in SIPCore asks these questions; a table keeps each question to a single load.
@usableFromInline
enum SIPCharacterClass {
    @usableFromInline static let tokenBit: UInt8 = 1 << 0
    @usableFromInline static let wordBit: UInt8 = 1 << 1
    @usableFromInline static let unreservedBit: UInt8 = 1 << 2
    @usableFromInline static let whitespaceBit: UInt8 = 1 << 3
    @usableFromInline static let alphaNumBit: UInt8 = 1 << 4
    @usableFromInline static let hexBit: UInt8 = 1 << 5

    @usableFromInline
    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        func mark(_ bytes: String, _ bit: UInt8) {
            for byte in bytes.utf8 { table[Int(byte)] |= bit }
        }
        let alphaNum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        mark(alphaNum, tokenBit | wordBit | unreservedBit | alphaNumBit)
        mark("-.!%*_+`'~", tokenBit)
        mark("-.!%*_+`'~()<>:\\\"/[]?{}", wordBit)
        mark("-_.!~*'()", unreservedBit)
        mark(" \t", whitespaceBit)
        mark("0123456789abcdefABCDEF", hexBit)
        return table
    }()

    /// `token` characters: alphanum and `-.!%*_+`'~`.
    @inlinable @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool { table[Int(byte)] & tokenBit != 0 }

    /// `word` characters (Call-ID): token characters plus `()<>:\"/[]?{}`.
    @inlinable @inline(__always)
    static func isWord(_ byte: UInt8) -> Bool { table[Int(byte)] & wordBit != 0 }

    /// `unreserved` characters of a URI: alphanum and `-_.!~*'()`.
    @inlinable @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool { table[Int(byte)] & unreservedBit != 0 }

    /// `WSP`: space or horizontal tab.
    @inlinable @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// Linear white space inside an already framed header value: SP, HTAB, and the CR/LF of a fold.
    @inlinable @inline(__always)
    static func isLWS(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }

    @inlinable @inline(__always)
    static func isAlphaNum(_ byte: UInt8) -> Bool { table[Int(byte)] & alphaNumBit != 0 }

    @inlinable @inline(__always)
    static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    @inlinable @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @inlinable @inline(__always)
    static func isHex(_ byte: UInt8) -> Bool { table[Int(byte)] & hexBit != 0 }

    /// The value of a hexadecimal digit, or `nil`.
    @inlinable
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte &- 0x30
        case 0x41...0x46: return byte &- 0x41 &+ 10
        case 0x61...0x66: return byte &- 0x61 &+ 10
        default: return nil
        }
    }

    /// Characters that never appear unescaped in a header value outside a quoted string:
    /// controls other than HTAB and the CR/LF of a fold, and DEL.
    @inlinable @inline(__always)
    static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F }

    @inlinable @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// Whether two strings are equal ignoring the case of ASCII letters, compared byte by byte with
    /// no lowercased copies (parameter names, URI schemes and tokens are ASCII).
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// `text` in lowercase: returned as it is when it holds no uppercase letter (the common case,
    /// with no new string), else through `lowercased()`.
    static func lowercased(_ text: String) -> String {
        text.utf8.contains { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 } ? text.lowercased() : text
    }

    /// `text` in uppercase, returned as it is when it holds no lowercase letter.
    static func uppercased(_ text: String) -> String {
        text.utf8.contains { ($0 >= 0x61 && $0 <= 0x7A) || $0 >= 0x80 } ? text.uppercased() : text
    }
}
