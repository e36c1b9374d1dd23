/// A minimal base64 (RFC 4648 §4, standard alphabet) encoder and decoder used
/// for the inline keys of SDP security descriptions (RFC 4568).
///
/// The decoder is strict: it accepts the standard alphabet only, with or
/// without trailing `=` padding, and rejects misplaced padding, impossible
/// lengths and non-zero trailing bits (non-canonical encodings).
enum SDPBase64 {
    /// The standard base64 alphabet.
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8
    )

    /// The padding byte `=`.
    private static let pad = UInt8(ascii: "=")

    /// Returns the 6-bit value of a base64 alphabet byte, or `nil`.
    @inline(__always)
    static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte &- UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte &- UInt8(ascii: "a") &+ 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0") &+ 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    /// Encodes `bytes` as padded base64.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = iterator.next()
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int(((b0 & 0x03) << 4) | ((b1 ?? 0) >> 4))])
            if let b1 {
                output.append(alphabet[Int(((b1 & 0x0F) << 2) | ((b2 ?? 0) >> 6))])
            } else {
                output.append(pad)
            }
            if let b2 {
                output.append(alphabet[Int(b2 & 0x3F)])
            } else {
                output.append(pad)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base64 text, returning `nil` if it is not valid base64.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        self.decode(bytes: Array(text.utf8))
    }

    /// Decodes base64 bytes, returning `nil` if they are not valid base64.
    static func decode(bytes input: some Collection<UInt8>) -> [UInt8]? {
        // Strip (at most two) trailing padding bytes; padding must then make
        // the total length a multiple of four.
        var body = Array(input)
        var padding = 0
        while body.last == pad {
            body.removeLast()
            padding += 1
            if padding > 2 { return nil }
        }
        if padding > 0 && (body.count + padding) % 4 != 0 { return nil }
        if body.count % 4 == 1 { return nil }

        var output: [UInt8] = []
        output.reserveCapacity(body.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in body {
            guard let sextet = value(of: byte) else { return nil }
            accumulator = (accumulator << 6) | UInt32(sextet)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (UInt32(1) << UInt32(bits)) &- 1
            }
        }
        // Leftover bits must be zero in a canonical encoding.
        if accumulator != 0 { return nil }
        return output
    }
}
