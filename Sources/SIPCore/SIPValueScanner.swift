/// A cursor over the bytes of one header value, with the small grammar pieces every typed header
/// is built from: LWS (including folds), tokens, quoted strings, `<...>` URIs and parameters.
///
/// Offsets in the errors it throws are absolute: `base` is the offset of the first byte of
/// `bytes` in the message.
struct SIPValueScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let base: Int
    let header: SIPHeaderName?
    var index: Int = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, base: Int = 0, header: SIPHeaderName? = nil) {
        self.bytes = bytes
        self.base = base
        self.header = header
    }

    var isAtEnd: Bool { index >= bytes.count }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    func error(_ detail: String) -> SIPParseError {
        SIPParseError(.malformedHeaderValue(detail), offset: base + index, header: header)
    }

    func uriError(_ detail: String) -> SIPParseError {
        SIPParseError(.malformedURI(detail), offset: base + index, header: header)
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Skips spaces, tabs and folds.
    mutating func skipLWS() {
        while index < bytes.count, SIPCharacterClass.isLWS(bytes[index]) { index += 1 }
    }

    /// Consumes `byte` (after optional LWS, and LWS after it) and says whether it was there.
    mutating func consume(_ byte: UInt8) -> Bool {
        let saved = index
        skipLWS()
        if index < bytes.count, bytes[index] == byte {
            index += 1
            skipLWS()
            return true
        }
        index = saved
        return false
    }

    /// Requires `byte`, with optional LWS around it.
    mutating func expect(_ byte: UInt8, _ what: String) throws(SIPParseError) {
        guard consume(byte) else { throw error("expected \(what)") }
    }

    /// Reads a non-empty token (RFC 3261 §25.1) and returns its range.
    mutating func token(_ what: String) throws(SIPParseError) -> Range<Int> {
        let start = index
        while index < bytes.count, SIPCharacterClass.isToken(bytes[index]) { index += 1 }
        guard index > start else { throw error("expected \(what)") }
        return start..<index
    }

    /// Reads a quoted string whose opening quote is at `index`; returns its content, unescaped.
    mutating func quotedString() throws(SIPParseError) -> String {
        guard current == UInt8(ascii: "\"") else { throw error("expected '\"'") }
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                // quoted-pair: '\' followed by any byte except CR and LF (RFC 3261 §25.1).
                guard index + 1 < bytes.count, bytes[index + 1] != 0x0D, bytes[index + 1] != 0x0A else {
                    throw error("bad escape in quoted string")
                }
                out.append(bytes[index + 1])
                index += 2
            case 0x0D, 0x0A:
                // Only a fold may break a quoted string's line.
                out.append(0x20)
                index += 1
                while index < bytes.count, SIPCharacterClass.isLWS(bytes[index]) { index += 1 }
            default:
                guard !SIPCharacterClass.isControl(byte) else { throw error("control character in quoted string") }
                out.append(byte)
                index += 1
            }
        }
        throw error("unterminated quoted string")
    }

    /// Reads generic parameters `*( SEMI name [ EQUAL value ] )` until a byte that is not `;`.
    /// Values are tokens, quoted strings or host-like words (IPv6 references included).
    mutating func parameters() throws(SIPParseError) -> SIPParameters {
        var parameters = SIPParameters()
        while consume(UInt8(ascii: ";")) {
            let name = try token("parameter name")
            var value: String?
            if consume(UInt8(ascii: "=")) {
                if current == UInt8(ascii: "\"") {
                    let start = index
                    _ = try quotedString()
                    value = string(start..<index)
                } else {
                    let start = index
                    while index < bytes.count, isParameterValueByte(bytes[index]) { index += 1 }
                    guard index > start else { throw error("empty value of parameter '\(string(name))'") }
                    value = string(start..<index)
                }
            }
            parameters.append(string(name), value)
            skipLWS()
        }
        return parameters
    }

    private func isParameterValueByte(_ byte: UInt8) -> Bool {
        SIPCharacterClass.isToken(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[")
            || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "@")
            || byte >= 0x80
    }

    /// Requires that nothing but LWS is left.
    mutating func expectEnd(_ what: String) throws(SIPParseError) {
        skipLWS()
        guard isAtEnd else { throw error("unexpected characters after \(what)") }
    }

    /// The index of the first comma in `range` that lies outside quoted strings and `<...>`.
    static func firstTopLevelComma(in buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        var inQuotes = false
        var inAngle = false
        while index < range.upperBound {
            let byte = buffer[index]
            if inQuotes {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inQuotes = false }
            } else if inAngle {
                if byte == UInt8(ascii: ">") { inAngle = false }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inQuotes = true
                case UInt8(ascii: "<"): inAngle = true
                case UInt8(ascii: ","): return index
                default: break
                }
            }
            index += 1
        }
        return nil
    }
}
